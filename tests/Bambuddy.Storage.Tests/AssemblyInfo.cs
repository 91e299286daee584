// The memory test reads the process-wide allocation counter: nothing else may run beside it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
