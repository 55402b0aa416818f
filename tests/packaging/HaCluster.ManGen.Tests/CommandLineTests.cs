using System.Diagnostics;

namespace HaCluster.ManGen.Tests;

/// <summary>
/// The program as build-deb.sh runs it: meta-data on stdin, the page on stdout, exit codes 0
/// (page written), 1 (unusable meta-data) and 2 (bad command line).
/// </summary>
public class CommandLineTests
{
    static (int ExitCode, string Stdout, string Stderr) Run(string stdin, params string[] args) => RunWith(null, stdin, args);

    static (int ExitCode, string Stdout, string Stderr) RunWith(string? sourceDateEpoch, string stdin, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HaCluster.ManGen.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("SOURCE_DATE_EPOCH");
        if (sourceDateEpoch is not null) start.Environment["SOURCE_DATE_EPOCH"] = sourceDateEpoch;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        process.WaitForExit(60_000).Should().BeTrue("mangen finishes at once");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet executable that runs these tests (the SDK names it in DOTNET_HOST_PATH).</summary>
    static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    static string Xml(string name) => File.ReadAllText(GoldenPageTests.TestData(name + ".xml"));

    [Fact]
    public void The_page_on_stdout_is_the_golden_one()
    {
        var r = Run(Xml("Dummy"), "--date", "2025-01-15", "--source", "hacluster-agents 1.0", "--expect-name", "Dummy");

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Be(File.ReadAllText(GoldenPageTests.TestData("Dummy.7")));
        r.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void Without_date_the_page_has_the_day_of_SOURCE_DATE_EPOCH()
    {
        var r = RunWith("1709251199", Xml("minimal")); // 2024-02-29 23:59:59 UTC

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain(".TH \"OCF_HACLUSTER_MINIMAL\" 7 2024-02-29 ");
    }

    [Fact]
    public void Another_provider_and_no_replaced_agent_change_the_page()
    {
        var r = Run(Xml("Dummy"), "--date", "2025-01-15", "--provider", "acme", "--no-replaces");

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("ocf:acme:Dummy").And.NotContain("ocf:heartbeat:Dummy");
    }

    [Fact]
    public void Meta_data_of_another_agent_than_expected_is_refused()
    {
        var r = Run(Xml("Dummy"), "--date", "2025-01-15", "--expect-name", "IPaddr2");

        r.ExitCode.Should().Be(1);
        r.Stdout.Should().BeEmpty();
        r.Stderr.Should().Contain("names the agent 'Dummy', expected 'IPaddr2'");
    }

    [Theory]
    [InlineData("not xml at all")]
    [InlineData("<?xml version=\"1.0\"?><other name=\"x\"/>")]
    [InlineData("<resource-agent/>")]
    public void Unusable_meta_data_exits_1_with_a_reason(string stdin)
    {
        var r = Run(stdin, "--date", "2025-01-15");

        r.ExitCode.Should().Be(1);
        r.Stdout.Should().BeEmpty();
        r.Stderr.Should().StartWith("mangen: cannot use the meta-data: ");
    }

    [Theory]
    [InlineData("--date", "15.01.2025")]
    [InlineData("--provider", "a b")]
    [InlineData("--frobnicate")]
    public void A_bad_command_line_exits_2(params string[] args)
    {
        var r = Run(Xml("Dummy"), args);

        r.ExitCode.Should().Be(2);
        r.Stdout.Should().BeEmpty();
        r.Stderr.Should().StartWith("mangen: ");
    }
}
