using Modular.NN;
using Modular.Tensors;

namespace Modular.Optim;

/// <summary>
/// Updates parameters from their gradients, group by group. Semantics and defaults follow PyTorch; the learning
/// rate of each group is its base rate times the <see cref="Schedule"/> factor for the current step.
/// </summary>
public abstract class Optimizer
{
    private readonly List<ParameterGroup> groups = [];

    /// <summary>Creates an optimiser with default settings and no parameters yet (see <see cref="AddGroup"/>).</summary>
    protected Optimizer(float learningRate, float weightDecay)
    {
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate)) throw new ConfigurationException($"{GetType().Name}: learning rate {learningRate} must be a finite number ≥ 0.");
        if (!(weightDecay >= 0f)) throw new ConfigurationException($"{GetType().Name}: weight decay {weightDecay} must be ≥ 0.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>Default base learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Default weight decay.</summary>
    public float WeightDecay { get; }

    /// <summary>Multiplies every group's learning rate by a factor of the step; null = constant.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public int StepCount { get; private set; }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>Every parameter in every group.</summary>
    public IEnumerable<Parameter> Parameters => groups.SelectMany(g => g.Parameters);

    /// <summary>
    /// Adds a group. Every parameter must be trainable (a frozen one would silently never change) and appear
    /// in only one group.
    /// </summary>
    public Optimizer AddGroup(ParameterGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var existing = new HashSet<Parameter>(Parameters, ReferenceEqualityComparer.Instance);
        foreach (var p in group.Parameters)
        {
            if (!p.Trainable)
                throw new ConfigurationException($"{GetType().Name}: parameter '{p.Name ?? "(unnamed)"}' {p.Shape} is frozen (Trainable = false); pass only trainable parameters (e.g. model.TrainableParameters()) or unfreeze it first.");
            if (!existing.Add(p)) throw new ConfigurationException($"{GetType().Name}: parameter '{p.Name ?? "(unnamed)"}' appears in more than one group.");
        }
        groups.Add(group);
        return this;
    }

    /// <summary>Adds parameters as a group with the default settings (or the given learning rate).</summary>
    public Optimizer Add(IEnumerable<Parameter> parameters, float? learningRate = null, string name = "") =>
        AddGroup(new ParameterGroup(parameters, learningRate, name: name));

    /// <summary>The learning rate a group uses at the current step.</summary>
    public float CurrentLearningRate(ParameterGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return (group.LearningRate ?? LearningRate) * (Schedule?.Factor(StepCount) ?? 1f);
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        if (groups.Count == 0) throw new ConfigurationException($"{GetType().Name}.Step: the optimiser has no parameters; add them with Add(model.TrainableParameters()).");
        BeginStep(StepCount + 1);
        using (Tensors.Autograd.GradMode.NoGrad())
        {
            foreach (var group in groups)
            {
                float lr = CurrentLearningRate(group);
                float wd = group.WeightDecay ?? WeightDecay;
                foreach (var p in group.Parameters)
                {
                    if (p.Grad is null) continue;
                    Update(p, p.Grad, lr, wd);
                }
            }
        }
        StepCount++;
    }

    /// <summary>Drops every gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Called once per step before the updates, with the 1-based step number.</summary>
    protected virtual void BeginStep(int step) { }

    /// <summary>Updates one parameter in place.</summary>
    protected abstract void Update(Parameter parameter, Tensor gradient, float learningRate, float weightDecay);

    /// <summary>Names of the per-parameter state tensors this optimiser keeps (e.g. exp_avg, exp_avg_sq).</summary>
    protected abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>The state tensors of <paramref name="parameter"/>, created as zeros on first use (each shaped as the parameter unless <see cref="SlotShape"/> says otherwise).</summary>
    protected Tensor[] Slots(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (slots.TryGetValue(parameter, out var existing))
        {
            // The model moved (model.To): its state follows its parameter, except the slots kept on the host.
            for (int i = 0; i < existing.Length; i++)
                if (!SlotOnHost(i)) existing[i].MoveTo(parameter.Device);
            return existing;
        }
        var created = new Tensor[SlotNames.Count];
        for (int i = 0; i < created.Length; i++)
        {
            // Outside any scope: the state lives as long as the optimiser, not as long as the step that created it.
            created[i] = Tensor.Empty(SlotShape(i, parameter), (SlotOnHost(i) ? Device.Cpu : parameter.Device).Backend, scoped: false);
            created[i].Backend.Fill(created[i], 0f);
        }
        slots[parameter] = created;
        return created;
    }

    /// <summary>Shape of slot <paramref name="slot"/> for a parameter; the parameter's own shape by default.</summary>
    protected virtual int[] SlotShape(int slot, Parameter parameter) => parameter.Shape.ToArray();

    /// <summary>
    /// Whether slot <paramref name="slot"/> stays in host memory whatever the parameter's device: a counter the update
    /// reads on the host every step (as PyTorch keeps Adam's <c>step</c> on the CPU) instead of reading it back from a device.
    /// </summary>
    protected virtual bool SlotOnHost(int slot) => false;

    private readonly Dictionary<Parameter, Tensor[]> slots = new(ReferenceEqualityComparer.Instance);

    /// <summary>Per-parameter state for checkpoints, keyed "&lt;parameter index&gt;.&lt;slot name&gt;" (index over all groups in order).</summary>
    public IReadOnlyDictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int index = 0;
        foreach (var p in Parameters)
        {
            if (slots.TryGetValue(p, out var s))
                for (int i = 0; i < s.Length; i++) state[$"{index}.{SlotNames[i]}"] = s[i];
            index++;
        }
        return state;
    }

    /// <summary>
    /// Restores state written by <see cref="State"/> (same parameters in the same order) and the step count. Every
    /// slot is checked before anything is copied, so a refused state leaves the optimiser as it was.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (stepCount < 0) throw new ConfigurationException($"{GetType().Name}.LoadState: step count {stepCount} must be ≥ 0.");
        var parameters = Parameters.ToList();
        var known = Enumerable.Range(0, parameters.Count).SelectMany(i => SlotNames.Select(n => $"{i}.{n}")).ToHashSet(StringComparer.Ordinal);
        var unknown = state.Keys.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ConfigurationException($"{GetType().Name}.LoadState: the state has slots this optimiser does not ({string.Join(", ", unknown.Take(5))}); it has {parameters.Count} parameters with slots {string.Join(", ", SlotNames)}. Was it saved from another model or optimiser?");
        var restored = new List<(Parameter Parameter, Tensor[]? Values)>();
        for (int index = 0; index < parameters.Count; index++)
        {
            var p = parameters[index];
            var present = SlotNames.Select(n => state.GetValueOrDefault($"{index}.{n}")).ToArray();
            if (present.All(t => t is null)) { restored.Add((p, null)); continue; } // never stepped when saved
            var values = new Tensor[present.Length];
            for (int i = 0; i < present.Length; i++)
            {
                values[i] = present[i] ?? throw new ConfigurationException($"{GetType().Name}.LoadState: slot '{index}.{SlotNames[i]}' is missing for parameter '{p.Name}'.");
                var expected = TensorShape.Of(SlotShape(i, p));
                if (!values[i].Shape.Equals(expected)) throw new ShapeMismatchException($"{GetType().Name}.LoadState: slot '{index}.{SlotNames[i]}' has shape {values[i].Shape}, expected {expected} for parameter '{p.Name}'.");
            }
            restored.Add((p, values));
        }
        foreach (var (p, values) in restored)
        {
            if (values is null) { slots.Remove(p); continue; }
            var s = Slots(p);
            for (int i = 0; i < s.Length; i++) s[i].CopyFrom(values[i]);
        }
        StepCount = stepCount;
    }
}
