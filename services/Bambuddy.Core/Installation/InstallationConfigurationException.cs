namespace Bambuddy.Core.Installation;

/// <summary>A configuration value that names the installation is wrong; the message names the variable.</summary>
public sealed class InstallationConfigurationException(string message) : Exception(message);
