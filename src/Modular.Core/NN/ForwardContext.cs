using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// What a forward pass knows beyond its input tensor, visible to every module and hook on the thread while it
/// is open: the padding mask of the batch and per-example metadata such as task or language ids that fixed
/// routing reads. Open one around a forward pass with <see cref="Begin"/>; they nest.
/// </summary>
public sealed class ForwardContext : IDisposable
{
    [ThreadStatic] private static ForwardContext? current;
    private readonly ForwardContext? outer;
    private readonly Dictionary<string, int[]> metadata;
    private readonly List<Func<Tensor, Tensor>> lossTerms;
    private bool disposed;

    private ForwardContext(Tensor? paddingMask, IReadOnlyDictionary<string, int[]>? metadata, ForwardContext? outer)
    {
        PaddingMask = paddingMask;
        this.outer = outer;
        this.metadata = outer is null ? new(StringComparer.Ordinal) : new(outer.metadata, StringComparer.Ordinal);
        if (metadata is not null) foreach (var (k, v) in metadata) this.metadata[k] = v;
        Cache = outer?.Cache ?? new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        lossTerms = outer?.lossTerms ?? [];
    }

    /// <summary>The innermost open context on this thread, or null.</summary>
    public static ForwardContext? Current => current;

    /// <summary>
    /// Opens a context. <paramref name="paddingMask"/> is [batch, length] with 1 for real tokens and 0 for padding;
    /// <paramref name="metadata"/> maps a key (e.g. <c>"task"</c>, <c>"language"</c>) to one id per example. A mask
    /// that breaks <see cref="NN.PaddingMask"/>'s rules is refused here, at the forward pass that receives it — a mask in
    /// host memory, that is: one already on a device is not read back to be checked (<see cref="NN.PaddingMask.ValidatedOn"/>
    /// checks a host mask before it moves; the trainer and <c>ModularModel.Forward</c> move masks that way).
    /// </summary>
    public static ForwardContext Begin(Tensor? paddingMask = null, IReadOnlyDictionary<string, int[]>? metadata = null, Rng? random = null)
    {
        if (paddingMask is { Device.IsHost: true } && !ReferenceEquals(paddingMask, current?.PaddingMask)) NN.PaddingMask.Validate(paddingMask);
        var context = new ForwardContext(paddingMask ?? current?.PaddingMask, metadata, current) { Random = random ?? current?.Random };
        current = context;
        return context;
    }

    /// <summary>
    /// The random source of this forward pass, when the caller provides one (the trainer seeds one per step, so a
    /// resumed run draws exactly what an uninterrupted one would); modules fall back to their own generator.
    /// </summary>
    public Rng? Random { get; private init; }

    /// <summary>The open context's random source, or <paramref name="fallback"/>.</summary>
    public static Rng RandomOr(Rng fallback) => current?.Random ?? fallback;

    /// <summary>[batch, length], 1 = token, 0 = padding; null when every position is a token.</summary>
    public Tensor? PaddingMask { get; set; }

    /// <summary>
    /// The host mask that <see cref="PaddingMask"/> was checked and moved from (<see cref="BeginOn"/>), so that a forward
    /// inside this pass handed that same host mask again (<c>ModularModel.Forward</c> under the trainer) reuses the moved
    /// one instead of checking and uploading it a second time.
    /// </summary>
    internal Tensor? PaddingMaskSource { get; private set; }

    /// <summary>
    /// Opens a context on <paramref name="device"/> for a batch whose <paramref name="hostMask"/> arrives in host memory:
    /// the mask is checked there, moved once, and remembered as the source of the moved mask.
    /// </summary>
    internal static ForwardContext BeginOn(Device device, Tensor? hostMask, IReadOnlyDictionary<string, int[]>? metadata, Rng? random = null)
    {
        var context = Begin(hostMask is null ? null : NN.PaddingMask.ValidatedOn(hostMask, device), metadata, random);
        context.PaddingMaskSource = hostMask;
        return context;
    }

    /// <summary>Per-example ids by key.</summary>
    public IReadOnlyDictionary<string, int[]> Metadata => metadata;

    /// <summary>
    /// Values computed once per forward pass and reused by later layers, e.g. a naive-global routing decision
    /// made at the first site and reused at every other. Shared with enclosing contexts of the same pass.
    /// </summary>
    public IDictionary<object, object> Cache { get; }

    /// <summary>
    /// Adds a term to this pass's training loss (a router's load-balancing loss, a policy gradient), as a function of the
    /// batch's task loss, which some terms need as their reward. Shared with enclosing contexts of the same pass.
    /// </summary>
    public void AddLossTerm(Func<Tensor, Tensor> term)
    {
        ArgumentNullException.ThrowIfNull(term);
        lossTerms.Add(term);
    }

    /// <summary>The terms added in this pass, evaluated for <paramref name="taskLoss"/>; taking them clears them.</summary>
    public IReadOnlyList<Tensor> TakeLossTerms(Tensor taskLoss)
    {
        ArgumentNullException.ThrowIfNull(taskLoss);
        var terms = lossTerms.Select(t => t(taskLoss)).ToList();
        lossTerms.Clear();
        return terms;
    }

    /// <summary>The ids for <paramref name="key"/>, or a clear error listing the keys that are present.</summary>
    public int[] Ids(string key) =>
        metadata.TryGetValue(key, out var ids) ? ids
        : throw new ConfigurationException($"The batch carries no '{key}' ids (it has: {(metadata.Count == 0 ? "none" : string.Join(", ", metadata.Keys))}). Pass them with ForwardContext.Begin(metadata: ...) or in the batch.");

    /// <summary>Closes the context, restoring the enclosing one.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (current != this) throw new InvalidOperationException("Forward contexts must be disposed innermost first.");
        current = outer;
        disposed = true;
    }
}
