#:project ../src/Modular.Interactive/Modular.Interactive.csproj
#:property PublishAot=false
// Re-creates the tutorials' shared base, data/models/base-mlm.safetensors: a byte-level Transformer pre-trained with
// masked language modelling on the shipped UDHR (39 languages) and gettext training-split messages (10 languages).
//   dotnet run scripts/pretrain-base.cs [--epochs N] [--out path]
// Deterministic for a given thread count (seeded data order, masking and initialisation).
using Modular.CaseStudies;
using Modular.Data;
using Modular.Interactive.Progress;

int epochs = Argument("--epochs", 12);
string output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? PretrainedBase.DefaultPath;
var texts = PretrainedBase.PretrainingTexts(UdhrCorpus.Load(), GettextCorpus.Load());
Console.WriteLine($"{texts.Count:N0} texts, {texts.Sum(t => t.Length):N0} characters; {epochs} epochs");
var (model, result) = PretrainedBase.Pretrain(texts, BaseConfig.Default, epochs, seed: 0, progress: new ConsoleProgress());
PretrainedBase.Save(model, BaseConfig.Default, output);
var last = result.History.Records.TakeLast(20).Average(r => r.Loss ?? double.NaN);
Console.WriteLine($"\nwrote {output}: {model.ParameterCount:N0} parameters, {result.Steps} steps, final training loss {last:F3}");

int Argument(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
