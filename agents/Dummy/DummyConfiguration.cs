namespace HaCluster.Agents.Dummy;

/// <summary>
/// What <see cref="DummyAgent.Validate"/> made of the parameters: the values every action of one
/// invocation works with, checked once and immutable after that.
/// </summary>
/// <param name="StateFile">The state file: present while the resource runs.</param>
/// <param name="Fake">The text written into the state file.</param>
/// <param name="OpSleep">How long each start, stop, monitor and migration waits first.</param>
sealed record DummyConfiguration(string StateFile, string Fake, TimeSpan OpSleep);
