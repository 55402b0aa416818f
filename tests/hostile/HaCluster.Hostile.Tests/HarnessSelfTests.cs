namespace HaCluster.Hostile.Tests;

/// <summary>
/// The table can fail: a stand-in agent (a shell script, named as such) that misbehaves in one
/// way per value of its parameter "misbehave" is caught for exactly that, and one that behaves
/// is not caught at all.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Requires", "root")]
public sealed class HarnessSelfTests(Sandbox sandbox) : IDisposable
{
    readonly string script = Path.Combine(sandbox.Base, "stand-in-misbehaving-agent-" + Guid.NewGuid().ToString("N"));

    const string Script = """
        #!/bin/sh
        # A stand-in agent of the hostile-input tests' self-test: misbehaves as told.
        case "$OCF_RESKEY_misbehave" in
          well) [ "$1" = monitor ] && exit 7; exit 0 ;;
          late) sleep 3; exit 0 ;;
          hang) exec sleep 30 ;;
          segv) kill -SEGV $$ ;;
          code) echo "ocf-exit-reason:an exit code beyond OCF" >&2; exit 42 ;;
          silent) exit 1 ;;
          two-reasons) echo "ocf-exit-reason:first" >&2; echo "ocf-exit-reason:second" >&2; exit 1 ;;
          not-last) echo "ocf-exit-reason:why" >&2; echo "and then more" >&2; exit 1 ;;
          long) printf 'ocf-exit-reason:%0600d\n' 0 >&2; exit 1 ;;
          resource-key) echo "ocf-exit-reason:Arg_ParamName_Name" >&2; exit 6 ;;
          stack) echo "   at HaCluster.Agent.Start() in Agent.cs:line 1" >&2; echo "ocf-exit-reason:failed" >&2; exit 1 ;;
          canary) echo changed > "$OCF_RESKEY_path"; exit 0 ;;
          outside) echo x > "$HA_RSCTMP/../created-beside"; exit 0 ;;
          leave) sleep 60 </dev/null >/dev/null 2>&1 & exit 0 ;;
          stop-fails) echo "ocf-exit-reason:could not stop" >&2; exit 1 ;;
          probe-1) echo "ocf-exit-reason:unknown state" >&2; exit 1 ;;
        esac
        exit 0
        """;

    public void Dispose() => File.Delete(script);

    IReadOnlyList<Problem> Run(string action, string misbehave, TimeSpan? deadline = null)
    {
        File.WriteAllText(script, Script);
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        var runner = new CaseRunner(sandbox, _ => script);
        return runner.Run(new HostileCase("stand-in", action, "misbehave=" + misbehave,
            dir => new Dictionary<string, EnvValue> { ["OCF_RESKEY_misbehave"] = misbehave, ["OCF_RESKEY_path"] = dir.LinkOutside },
            deadline ?? Baseline.Timeout));
    }

    [Theory]
    [InlineData("start", "late", "ended after its deadline")]
    [InlineData("start", "hang", "ran past its deadline and was killed")]
    [InlineData("start", "segv", "killed by signal 11")]
    [InlineData("start", "code", "exit code 42 is no OCF code")]
    [InlineData("start", "silent", "no exit reason for rc 1")]
    [InlineData("start", "two-reasons", "more than one exit reason")]
    [InlineData("start", "not-last", "the exit reason is not the last stderr line")]
    [InlineData("start", "long", "an exit reason longer than 512 characters")]
    [InlineData("start", "resource-key", "a runtime resource key in the output")]
    [InlineData("start", "stack", "a stack trace in the output")]
    [InlineData("start", "canary", "touched a file outside HA_RSCTMP")]
    [InlineData("start", "outside", "touched a file outside HA_RSCTMP")]
    [InlineData("monitor", "leave", "left processes behind")]
    [InlineData("stop", "stop-fails", "stop answered 1 where nothing can be running")]
    [InlineData("probe", "probe-1", "probe answered 1")]
    public void A_misbehaving_agent_is_caught_for_what_it_did(string action, string misbehave, string expected)
    {
        var deadline = misbehave is "late" or "hang" ? TimeSpan.FromMilliseconds(500) : (TimeSpan?)null;

        var problems = Run(action, misbehave, deadline);

        problems.Select(p => p.Kind).Should().Contain(expected, string.Join("; ", problems));
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("probe")]
    [InlineData("monitor")]
    public void An_agent_that_behaves_is_not_caught(string action)
    {
        Run(action, "well").Should().BeEmpty();
    }
}
