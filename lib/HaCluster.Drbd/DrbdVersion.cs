using System.Globalization;
using System.Text.RegularExpressions;

namespace HaCluster.Drbd;

/// <summary>A DRBD version x.y.z, compared as the shell agent compares DRBD_KERNEL_VERSION_CODE.</summary>
public sealed partial record DrbdVersion(int Major, int Minor, int Patch) : IComparable<DrbdVersion>
{
    /// <summary>0xMMmmpp, as drbdadm prints DRBD_KERNEL_VERSION_CODE.</summary>
    public int Code => Major << 16 | Minor << 8 | Patch;

    public bool IsV9 => Major >= 9;
    public bool HasMultiVolume => this >= V84;

    /// <summary>8.4.7: the first 8.4 module whose events2 the status can use (sh-status before).</summary>
    public bool HasEvents2 => this >= new DrbdVersion(8, 4, 7);

    public static readonly DrbdVersion V84 = new(8, 4, 0);

    /// <summary>
    /// Reads the leading x.y.z of "8.4.11", "9.2.12-1", "8.4.11 (api:1/proto:86-101)"; null when
    /// the text does not start with one.
    /// </summary>
    public static DrbdVersion? TryParse(string? text)
    {
        if (text is null) return null;
        var m = Leading().Match(text.Trim());
        if (!m.Success) return null;
        static int? P(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v <= 255 ? v : null;
        return P(m.Groups[1].Value) is int a && P(m.Groups[2].Value) is int b && P(m.Groups[3].Value) is int c ? new DrbdVersion(a, b, c) : null;
    }

    /// <summary>Exactly x.y.z (the format of require_drbd_module_version_ge/_lt), or null.</summary>
    public static DrbdVersion? ParseExact(string text) => Exact().IsMatch(text) ? TryParse(text) : null;

    public int CompareTo(DrbdVersion? other) => other is null ? 1 : Code.CompareTo(other.Code);
    public static bool operator <(DrbdVersion a, DrbdVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(DrbdVersion a, DrbdVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(DrbdVersion a, DrbdVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(DrbdVersion a, DrbdVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";

    [GeneratedRegex(@"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})")]
    private static partial Regex Leading();
    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex Exact();
}
