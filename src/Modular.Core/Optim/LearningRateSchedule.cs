namespace Modular.Optim;

/// <summary>A multiplier of the base learning rate as a function of the (0-based) step.</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The factor at <paramref name="step"/>.</summary>
    public abstract float Factor(int step);

    /// <summary>Always 1.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Linear warm-up from 0 over <paramref name="warmupSteps"/>, then linear decay to 0 at <paramref name="totalSteps"/> (as Hugging Face's get_linear_schedule_with_warmup).</summary>
    public static LearningRateSchedule WarmupLinear(int warmupSteps, int totalSteps) => new WarmupDecaySchedule(warmupSteps, totalSteps, cosine: false, 0f);

    /// <summary>Linear warm-up, then half-cosine decay to <paramref name="minFactor"/> at <paramref name="totalSteps"/>.</summary>
    public static LearningRateSchedule WarmupCosine(int warmupSteps, int totalSteps, float minFactor = 0f) => new WarmupDecaySchedule(warmupSteps, totalSteps, cosine: true, minFactor);

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float Factor(int step) => 1f;
    }

    private sealed class WarmupDecaySchedule : LearningRateSchedule
    {
        private readonly int warmup, total;
        private readonly bool cosine;
        private readonly float minFactor;

        public WarmupDecaySchedule(int warmup, int total, bool cosine, float minFactor)
        {
            if (warmup < 0 || total < 1 || warmup > total) throw new ConfigurationException($"Learning-rate schedule: need 0 ≤ warmup ({warmup}) ≤ total ({total}) and total ≥ 1.");
            if (minFactor is < 0f or > 1f) throw new ConfigurationException($"Learning-rate schedule: minFactor {minFactor} must lie in [0, 1].");
            this.warmup = warmup;
            this.total = total;
            this.cosine = cosine;
            this.minFactor = minFactor;
        }

        public override float Factor(int step)
        {
            if (step < warmup) return (float)step / Math.Max(1, warmup);
            // progress reaches 1 at totalSteps even when there is nothing left to decay over (warmup = total)
            float progress = step >= total ? 1f : (float)(step - warmup) / (total - warmup);
            float decay = cosine ? 0.5f * (1f + MathF.Cos(MathF.PI * progress)) : 1f - progress;
            return minFactor + (1f - minFactor) * decay;
        }
    }
}
