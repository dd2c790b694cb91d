namespace Modular.Tensors.Autograd;

/// <summary>Switches gradient recording on and off for the current thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope.</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Within the returned scope no operation records history (inference, optimiser updates).</summary>
    public static NoGradScope NoGrad()
    {
        disabledDepth++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Restores gradient recording.</summary>
        public void Dispose() => disabledDepth--;
    }
}
