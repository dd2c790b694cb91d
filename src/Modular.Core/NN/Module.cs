using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A node of a model: named child modules and parameters, addressed by dotted paths such as
/// <c>layers.0.attention.query.weight</c>. Modules can be found by path or glob pattern, frozen and unfrozen,
/// switched between training and evaluation, counted, and saved or loaded as a state by path.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public abstract class Module
{
    private readonly List<(string Name, Module Child)> children = [];
    private readonly List<(string Name, Parameter Parameter)> parameters = [];
    private readonly List<(string Name, IForwardHook Hook)> hooks = [];
    private readonly List<(string Name, Parameter Buffer)> buffers = [];
    private Module? parent;
    private string nameInParent = "";

    /// <summary>True in training mode (dropout active, routers add noise); see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The direct children, in registration order.</summary>
    public IReadOnlyList<(string Name, Module Child)> Children => children;

    /// <summary>The parameters registered directly on this module.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> DirectParameters => parameters;

    /// <summary>The hooks transforming this module's output, in order.</summary>
    public IReadOnlyList<(string Name, IForwardHook Hook)> Hooks => hooks;

    /// <summary>A short description of this module's configuration, e.g. <c>256 → 1024</c>, for summaries.</summary>
    public virtual string Description => "";

    /// <summary>The module this one is registered under (its first parent), or null for a root.</summary>
    public Module? Parent => parent;

    /// <summary>
    /// The dotted path from the root of the model this module belongs to, e.g. <c>layers.0.attention</c> ("" for a
    /// root). A module registered under two parents keeps the path of the first.
    /// </summary>
    public string Path => parent is null ? "" : Join(parent.Path, nameInParent);

    /// <summary>Type and path for error messages, e.g. <c>MultiHeadSelfAttention 'layers.0.attention'</c>.</summary>
    public string Describe() => parent is null ? GetType().Name : $"{GetType().Name} '{Path}'";

    // ------------------------------------------------------------------ registration

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T Add<T>(string name, T child) where T : Module
    {
        ArgumentNullException.ThrowIfNull(child);
        CheckNewName(name);
        children.Add((name, child));
        if (child.parent is null)
        {
            child.parent = this;
            child.nameInParent = name;
            child.NameParameters();
        }
        return child;
    }

    /// <summary>Registers a parameter initialised from <paramref name="initial"/> and returns it.</summary>
    protected Parameter AddParameter(string name, Tensor initial, bool trainable = true)
    {
        CheckNewName(name);
        var p = new Parameter(initial, trainable) { Name = Join(Path, name) };
        parameters.Add((name, p));
        return p;
    }

    /// <summary>
    /// Registers a buffer: state that is saved and loaded with the module but never trains and is not counted as a
    /// parameter (e.g. a sparse-fine-tuning mask).
    /// </summary>
    protected Tensor AddBuffer(string name, Tensor initial)
    {
        CheckNewName(name);
        var b = new Parameter(initial, trainable: false) { Name = name };
        buffers.Add((name, b));
        return b;
    }

    /// <summary>Every buffer with its dotted path.</summary>
    public IEnumerable<(string Path, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (path, module) in NamedModules())
            foreach (var (name, b) in module.buffers) yield return (Join(path, name), b);
    }

    /// <summary>Registers an existing parameter (e.g. one shared with another module) under <paramref name="name"/>.</summary>
    protected Parameter AddParameter(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckNewName(name);
        parameters.Add((name, parameter));
        return parameter;
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ModulePathException($"'{name}' is not a valid name for a child of {Describe()}: names must be non-empty and contain no dots.");
        if (children.Exists(c => c.Name == name) || parameters.Exists(p => p.Name == name) || buffers.Exists(b => b.Name == name))
            throw new ModulePathException($"{Describe()} already has a child or parameter named '{name}'.");
    }

    /// <summary>
    /// Adds a hook that transforms this module's output. If the hook is itself a <see cref="Module"/>, it also
    /// becomes a child named <paramref name="name"/>, so its parameters appear under this module's path.
    /// </summary>
    public void AddHook(string name, IForwardHook hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (hooks.Exists(h => h.Name == name)) throw new ModulePathException($"{Describe()} already has a hook named '{name}'.");
        if (hook is Module m) Add(name, m);
        hooks.Add((name, hook));
    }

    /// <summary>Removes the hook (and its child module) named <paramref name="name"/>; returns whether it existed.</summary>
    public bool RemoveHook(string name)
    {
        int i = hooks.FindIndex(h => h.Name == name);
        if (i < 0) return false;
        if (hooks[i].Hook is Module m) RemoveChild(m);
        hooks.RemoveAt(i);
        return true;
    }

    /// <summary>Unregisters <paramref name="child"/> (compared by reference); it becomes a root if this was its parent.</summary>
    protected void RemoveChild(Module child)
    {
        ArgumentNullException.ThrowIfNull(child);
        children.RemoveAll(c => ReferenceEquals(c.Child, child));
        if (child.parent != this) return;
        child.parent = null;
        child.nameInParent = "";
        child.NameParameters();
    }

    /// <summary>Sets every parameter's <see cref="Tensor.Name"/> to its full path, so tensor errors and optimisers name it.</summary>
    private void NameParameters()
    {
        foreach (var (path, p) in NamedParameters()) p.Name = Join(Path, path);
    }

    /// <summary>Applies this module's hooks to the output it computed from <paramref name="input"/>.</summary>
    protected Tensor RunHooks(Tensor input, Tensor output)
    {
        foreach (var (_, hook) in hooks) output = hook.OnForward(this, input, output);
        return output;
    }

    // ------------------------------------------------------------------ traversal

    /// <summary>This module and all descendants with their dotted paths ("" for this module), depth first.</summary>
    public IEnumerable<(string Path, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var entry in child.NamedModules(Join(prefix, name))) yield return entry;
    }

    /// <summary>
    /// Every parameter with its dotted path relative to this module; a parameter shared by several modules is listed
    /// once. (Each parameter's <see cref="Tensor.Name"/> holds its path from the root of the whole model.)
    /// </summary>
    public IEnumerable<(string Path, Parameter Parameter)> NamedParameters()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (path, module) in NamedModules())
            foreach (var (name, p) in module.parameters)
                if (seen.Add(p)) yield return (Join(path, name), p);
    }

    /// <summary>Every parameter (each once).</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(e => e.Parameter);

    /// <summary>The parameters that currently train.</summary>
    public IEnumerable<Parameter> TrainableParameters() => Parameters().Where(p => p.Trainable);

    /// <summary>The module at a dotted path, e.g. <c>layers.0.attention</c>.</summary>
    public Module Get(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Module current = this;
        if (path.Length == 0) return current;
        var walked = "";
        foreach (var part in path.Split('.'))
        {
            var next = current.children.Find(c => c.Name == part).Child;
            if (next is null)
            {
                var names = string.Join(", ", current.children.Select(c => c.Name));
                var parameterNames = string.Join(", ", current.parameters.Select(p => p.Name));
                throw new ModulePathException($"No module '{part}' under '{(walked.Length == 0 ? "(root)" : walked)}' ({current.GetType().Name}) while resolving '{path}'. " +
                    $"Children there: {(names.Length == 0 ? "none" : names)}{(parameterNames.Length == 0 ? "" : $"; parameters (not modules; see State()): {parameterNames}")}.");
            }
            walked = Join(walked, part);
            current = next;
        }
        return current;
    }

    /// <summary>The module at a dotted path, which must be a <typeparamref name="T"/>.</summary>
    public T Get<T>(string path) where T : Module =>
        Get(path) as T ?? throw new ModulePathException($"Module '{path}' is a {Get(path).GetType().Name}, not a {typeof(T).Name}.");

    /// <summary>
    /// The modules whose path matches <paramref name="pattern"/>: dot-separated segments where <c>*</c> matches
    /// within one segment, <c>**</c> matches any number of segments, and <c>a|b</c> matches either name,
    /// e.g. <c>layers.*.attention.query|value</c>.
    /// </summary>
    public IReadOnlyList<(string Path, Module Module)> Match(string pattern)
    {
        var glob = new PathPattern(pattern);
        return NamedModules().Where(e => e.Path.Length > 0 && glob.IsMatch(e.Path)).ToList();
    }

    /// <summary>
    /// The parameters whose path matches <paramref name="pattern"/> (the syntax of <see cref="Match"/>), e.g.
    /// <c>**.bias</c> to train only the biases (BitFit).
    /// </summary>
    public IReadOnlyList<(string Path, Parameter Parameter)> MatchParameters(string pattern)
    {
        var glob = new PathPattern(pattern);
        return NamedParameters().Where(e => glob.IsMatch(e.Path)).ToList();
    }

    // ------------------------------------------------------------------ devices

    /// <summary>
    /// Moves every parameter (with its gradient) and buffer of this module and its descendants to <paramref name="device"/>
    /// in place, as PyTorch's <c>module.to(device)</c>: parameters keep their identity, so optimisers that hold them
    /// follow (their state moves on their next step). A no-op for tensors already there.
    /// </summary>
    public Module To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var p in Parameters())
        {
            p.MoveTo(device);
            p.Grad?.MoveTo(device);
        }
        foreach (var (_, b) in NamedBuffers()) b.MoveTo(device);
        return this;
    }

    /// <summary>The device of this module's first parameter or buffer (<see cref="Device.Cpu"/> for a module without any).</summary>
    public Device Device => Parameters().Select(p => p.Device).Concat(NamedBuffers().Select(b => b.Buffer.Device)).FirstOrDefault() ?? Device.Cpu;

    // ------------------------------------------------------------------ modes and freezing

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (no dropout, deterministic routing).</summary>
    public Module Eval() => Train(false);

    /// <summary>Stops every parameter of this module (and descendants) from training.</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters()) p.Trainable = false;
        return this;
    }

    /// <summary>Lets every parameter of this module (and descendants) train.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.Trainable = true;
        return this;
    }

    /// <summary>Number of parameter elements (each shared parameter once).</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Count);

    /// <summary>Number of parameter elements that train.</summary>
    public long TrainableParameterCount => TrainableParameters().Sum(p => (long)p.Count);

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    // ------------------------------------------------------------------ state

    /// <summary>Every parameter and buffer by path (the live tensors, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> State() =>
        NamedParameters().Select(e => (e.Path, Tensor: (Tensor)e.Parameter)).Concat(NamedBuffers().Select(e => (e.Path, Tensor: e.Buffer)))
            .ToDictionary(e => e.Path, e => e.Tensor, StringComparer.Ordinal);

    /// <summary>
    /// Copies values into the parameters with the same paths. With <paramref name="strict"/>, every parameter must be
    /// present and no unknown path may appear; shapes must always match.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var mine = NamedParameters().ToDictionary(e => e.Path, e => e.Parameter, StringComparer.Ordinal);
        foreach (var (path, b) in NamedBuffers()) mine[path] = (Parameter)b;
        if (strict)
        {
            var missing = mine.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unknown = state.Keys.Where(k => !mine.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unknown.Count > 0)
                throw new ModulePathException($"LoadState: {(missing.Count > 0 ? $"missing {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}" : "")}{(missing.Count > 0 && unknown.Count > 0 ? "; " : "")}{(unknown.Count > 0 ? $"unknown {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "")}" : "")}. Pass strict: false to load a subset.");
        }
        // Check every shape before copying anything, so a failed load leaves the model as it was.
        var matched = state.Where(e => mine.ContainsKey(e.Key)).Select(e => (Parameter: mine[e.Key], Path: e.Key, Value: e.Value)).ToList();
        foreach (var (p, path, value) in matched)
            if (!value.Shape.Equals(p.Shape))
                throw new ShapeMismatchException($"LoadState: '{path}' has shape {value.Shape} in the state but {p.Shape} in {Describe()}.");
        foreach (var (p, _, value) in matched) p.Assign(value);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}({Description}) — {ParameterCount:N0} parameters, {TrainableParameterCount:N0} trainable";

    internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
