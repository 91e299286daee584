// Each test class here starts or shares a whole system; two at once would fight over 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
