// Placeholder entry point: the demo-installation generator arrives with the local-backup issue.
Console.Error.WriteLine("Bambuddy.DemoData: not implemented yet (placeholder).");
return 2;
