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
    /// until then (a pointer to a local struct is the usual choice: no allocation).
    /// </summary>
    public static void For(int total, int minChunk, void* state, delegate*<void*, int, int, void> body)
    {
        int threads = Math.Min(count, Math.Max(1, total / Math.Max(1, minChunk)));
        if (threads <= 1 || insideChunk)
        {
            body(state, 0, total);
            return;
        }
        var team = EnsureWorkers(threads - 1);
        int chunk = (total + threads - 1) / threads;
        for (int t = 1; t < threads; t++)
        {
            int start = t * chunk, end = Math.Min(total, start + chunk);
            team[t - 1].Post(state, body, start, Math.Max(start, end));
        }
        insideChunk = true;
        try { body(state, 0, Math.Min(total, chunk)); }
        finally
        {
            insideChunk = false;
            for (int t = 1; t < threads; t++) team[t - 1].Wait();
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
        private readonly SemaphoreSlim wake = new(0);
        private volatile int state; // 0 idle, 1 job posted, 2 job done
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
            state = 1;
            // Signal only a sleeping worker: a spinning one sees the state change by itself, and the semaphore costs
            // more than the job hand-over. The fence pairs with the worker's (Dekker): one of the two sees the other.
            Interlocked.MemoryBarrier();
            if (sleeping) wake.Release();
        }

        public void Wait()
        {
            var spinner = new SpinWait();
            while (state != 2) spinner.SpinOnce(sleep1Threshold: -1);
            state = 0;
            if (failure is not null) throw new AggregateException("A compute worker failed.", failure);
        }

        private void Run()
        {
            while (true)
            {
                // Spin a little before sleeping: kernels arrive in quick succession during a training step.
                for (int i = 0; i < 2000 && state != 1; i++) Thread.SpinWait(20);
                if (state != 1)
                {
                    sleeping = true;
                    Interlocked.MemoryBarrier();
                    if (state != 1) wake.Wait(); // a release meant for a job already seen only makes a later wait return early
                    sleeping = false;
                }
                if (state != 1) continue;
                insideChunk = true;
                try { jobBody(jobState, jobStart, jobEnd); }
                catch (Exception e) { failure = e; }
                state = 2;
            }
        }
    }
}
