namespace Modular.Tensors.Kernels;

/// <summary>
/// The CPU threads the kernels use: the calling thread plus persistent workers that spin briefly for the
/// next job before sleeping. Large kernels split their rows across these threads; small ones stay on the
/// caller. Never more threads than cores: oversubscription costs more than it gains.
/// </summary>
public static unsafe class ComputeThreads
{
    private static Worker[] workers = [];
    private static int count = Environment.ProcessorCount;
    private static readonly Lock Gate = new();
    [ThreadStatic] private static bool insideChunk; // nested For calls run serially
    private static int teamInUse; // 1 while a For call has the workers

    /// <summary>How many threads kernels use (1 = the calling thread only). Defaults to the processor count.</summary>
    public static int Count
    {
        get => count;
        set
        {
            if (value < 1 || value > Environment.ProcessorCount)
                throw new ConfigurationException($"ComputeThreads.Count = {value}: choose between 1 and {Environment.ProcessorCount} (this machine's processor count).");
            count = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(state, start, end) over [0, <paramref name="total"/>) split into one contiguous
    /// chunk per thread; chunks are never smaller than <paramref name="minChunk"/>. The caller's own chunk runs
    /// on the calling thread; the call returns when every chunk is done. <paramref name="state"/> must stay valid
    /// until then (a pointer to a local struct is the usual choice: no allocation). A chunk whose worker has not
    /// picked it up by the time the caller is done with its own runs on the caller, so a worker the machine keeps
    /// off its core delays nobody. Nested calls, and calls while another thread has the workers, run serially.
    /// </summary>
    public static void For(int total, int minChunk, void* state, delegate*<void*, int, int, void> body)
    {
        int threads = Degree(total, minChunk);
        if (threads <= 1 || insideChunk || Interlocked.CompareExchange(ref teamInUse, 1, 0) != 0)
        {
            body(state, 0, total);
            return;
        }
        try
        {
            var team = EnsureWorkers(threads - 1);
            int chunk = (total + threads - 1) / threads;
            for (int t = 1; t < threads; t++)
            {
                int start = Math.Min(total, t * chunk);
                team[t - 1].Post(state, body, start, Math.Min(total, start + chunk));
            }
            insideChunk = true;
            try { body(state, 0, Math.Min(total, chunk)); }
            finally
            {
                // Every chunk must be finished before returning, even after a failure: they all use state.
                for (int t = 1; t < threads; t++) team[t - 1].Finish();
                insideChunk = false;
            }
            for (int t = 1; t < threads; t++) team[t - 1].ThrowIfFailed();
        }
        finally
        {
            Volatile.Write(ref teamInUse, 0);
        }
    }

    /// <summary>How many threads <see cref="For"/> would use for this much work.</summary>
    public static int Degree(int total, int minChunk) => Math.Min(count, Math.Max(1, total / Math.Max(1, minChunk)));

    private static Worker[] EnsureWorkers(int needed)
    {
        var current = workers;
        if (current.Length >= needed) return current;
        lock (Gate)
        {
            if (workers.Length < needed)
            {
                var grown = new Worker[needed];
                Array.Copy(workers, grown, workers.Length);
                for (int i = workers.Length; i < needed; i++) grown[i] = new Worker(i + 1);
                workers = grown;
            }
            return workers;
        }
    }

    /// <summary>A persistent thread that runs one posted chunk at a time. It lives as long as the process, so its semaphore is never disposed.</summary>
#pragma warning disable CA1001
    private sealed class Worker
#pragma warning restore CA1001
    {
        private const int Idle = 0, Posted = 1, Running = 2, Done = 3;
        private readonly SemaphoreSlim wake = new(0);
        private int state = Idle;
        private volatile bool sleeping; // the worker stopped spinning and blocks (or is about to block) on its semaphore
        private void* jobState;
        private delegate*<void*, int, int, void> jobBody;
        private int jobStart, jobEnd;
        private Exception? failure;

        public Worker(int index)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = $"Modular compute {index}" };
            thread.Start();
        }

        public void Post(void* s, delegate*<void*, int, int, void> body, int start, int end)
        {
            jobState = s;
            jobBody = body;
            jobStart = start;
            jobEnd = end;
            failure = null;
            // The exchange is a full fence; it pairs with the worker's (Dekker): either the worker sees the posted
            // job before it blocks, or we see it sleeping and signal it. A spinning worker needs no signal.
            Interlocked.Exchange(ref state, Posted);
            if (sleeping) wake.Release();
        }

        /// <summary>Returns once the posted chunk is done: run here if the worker has not taken it yet, else waited for.</summary>
        public void Finish()
        {
            if (Interlocked.CompareExchange(ref state, Idle, Posted) == Posted)
            {
                Execute();
                return;
            }
            var spinner = new SpinWait();
            while (Volatile.Read(ref state) != Done) spinner.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref state, Idle);
        }

        public void ThrowIfFailed()
        {
            if (failure is not null) throw new AggregateException("A compute chunk failed.", failure);
        }

        private void Execute()
        {
            try { jobBody(jobState, jobStart, jobEnd); }
            catch (Exception e) { failure = e; } // rethrown on the calling thread by ThrowIfFailed
        }

        private void Run()
        {
            insideChunk = true;
            while (true)
            {
                // Spin a little before sleeping: kernels arrive in quick succession during a training step.
                for (int i = 0; i < 2000 && Volatile.Read(ref state) != Posted; i++) Thread.SpinWait(20);
                if (Volatile.Read(ref state) != Posted)
                {
                    sleeping = true;
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref state) != Posted) wake.Wait(); // a release for a job already seen only makes a later wait return early
                    sleeping = false;
                }
                if (Interlocked.CompareExchange(ref state, Running, Posted) != Posted) continue; // none, or taken back by the caller
                Execute();
                Volatile.Write(ref state, Done);
            }
        }
    }
}
