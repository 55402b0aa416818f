using System.Globalization;
using HaCluster.Core;

namespace HaCluster.Ocf;

/// <summary>The content types of the OCF meta-data.</summary>
public enum ParameterType { String, Integer, Boolean, Select }

/// <summary>
/// One agent parameter, declared once: its name, type, default, flags and descriptions drive the
/// parsing of OCF_RESKEY_&lt;name&gt;, its validation, the meta-data, the usage text and the man page.
/// </summary>
public abstract class Parameter
{
    private protected Parameter(string name, ParameterType type, string shortDescription, string longDescription)
    {
        Name = name;
        Type = type;
        ShortDescription = shortDescription;
        LongDescription = longDescription;
    }

    public string Name { get; }
    public ParameterType Type { get; }
    public string ShortDescription { get; }
    public string LongDescription { get; }

    /// <summary>Must be set; validation fails with 6 otherwise.</summary>
    public bool Required { get; init; }

    /// <summary>Identifies the resource: two resources must not share the value, and a change means a restart.</summary>
    public bool Unique { get; init; }

    /// <summary>A change is applied by the agent's reload action, without a restart.</summary>
    public bool Reloadable { get; init; }

    /// <summary>A secret: never logged, and hidden by Pacemaker's tools.</summary>
    public bool Private { get; init; }

    /// <summary>Deprecated: the name of the parameter that replaces it (its value is used when that one is unset).</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>Values may contain control characters (line breaks, tabs). Off: such values are rejected.</summary>
    public bool AllowControlCharacters { get; init; }

    /// <summary>The default as the meta-data shows it, or null when there is none.</summary>
    public abstract string? DefaultText { get; }

    /// <summary>The allowed values of a select parameter.</summary>
    public virtual IReadOnlyList<string> Options => [];

    /// <summary>True when OCF_RESKEY_&lt;name&gt; (or a deprecated alias) was present, even if empty.</summary>
    public bool IsSet { get; private set; }

    /// <summary>The value as passed, or null when unset.</summary>
    public string? RawValue { get; private set; }

    /// <summary>Where the value came from when a deprecated alias supplied it.</summary>
    public string? SuppliedBy { get; private set; }

    private protected bool Bound { get; private set; }

    /// <summary>
    /// The value given could not be bound (validation refused it): <c>Value</c> is then only the
    /// static default, nothing a start could have run under.
    /// </summary>
    public bool Failed { get; private set; }

    /// <summary>Parses the raw value (null = unset); returns an error sentence or null.</summary>
    internal string? Bind(string? raw, OcfEnvironment env, string? suppliedBy = null)
    {
        string? error = BindValue(raw, env, suppliedBy);
        Failed = error is not null;
        return error;
    }

    string? BindValue(string? raw, OcfEnvironment env, string? suppliedBy)
    {
        IsSet = raw is not null;
        RawValue = raw;
        SuppliedBy = suppliedBy;
        Bound = true;
        ResetToStaticDefault();
        if (raw is null)
        {
            if (Required) return $"required parameter '{Name}' is not set";
            return ApplyDefault(env);
        }
        if (raw.Contains('\0'))
            return $"parameter '{Name}' contains a NUL character";
        if (!AllowControlCharacters && ContainsControlCharacter(raw))
            return $"parameter '{Name}' contains a control character (line break or similar)" + (Private ? "" : $": {SafeText.Quote(raw)}");
        if (Required && raw.Length == 0)
            return $"required parameter '{Name}' is empty";
        return Parse(raw, env);
    }

    private protected abstract string? ApplyDefault(OcfEnvironment env);
    private protected abstract void ResetToStaticDefault();
    private protected abstract string? Parse(string raw, OcfEnvironment env);

    /// <summary>The value in words, for logs: secrets are masked.</summary>
    public string Describe() => Private ? "(hidden)" : SafeText.Quote(RawValue);

    static bool ContainsControlCharacter(string s)
    {
        foreach (char c in s)
            if (c < 0x20 || c == 0x7f) return true;
        return false;
    }

    private protected string Invalid(string raw, string expectation) =>
        $"parameter '{Name}' {expectation}, not {(Private ? "the given value" : SafeText.Quote(raw))}";
}

/// <summary>A parameter whose value parses to <typeparamref name="T"/>.</summary>
public abstract class Parameter<T> : Parameter
{
    T value = default!;

    private protected Parameter(string name, ParameterType type, string shortDescription, string longDescription)
        : base(name, type, shortDescription, longDescription) { }

    /// <summary>The default applied when the parameter is unset.</summary>
    public T Default { get; init; } = typeof(T) == typeof(string) ? (T)(object)"" : default!;

    /// <summary>A default computed from the environment (e.g. a path under HA_RSCTMP).</summary>
    public Func<OcfEnvironment, T>? DefaultFrom { get; init; }

    /// <summary>How the meta-data shows a computed default (e.g. "${HA_RSCTMP}/Dummy-${OCF_RESOURCE_INSTANCE}.state").</summary>
    public string? DefaultDescription { get; init; }

    /// <summary>A check beyond the type: returns why the value is invalid, or null. Failures exit 6.</summary>
    public Func<T, string?>? Check { get; init; }

    /// <summary>
    /// The parsed value, or the default when unset. After a value that failed to bind (a stop
    /// may still run with it) it is the static <see cref="Default"/>, never null for strings.
    /// </summary>
    public T Value => Bound ? value : throw new InvalidOperationException($"parameter '{Name}' read before the environment was parsed");

    public static implicit operator T(Parameter<T> p) => p.Value;

    private protected override void ResetToStaticDefault() => value = Default;

    private protected override string? ApplyDefault(OcfEnvironment env)
    {
        value = DefaultFrom is not null ? DefaultFrom(env) : Default;
        return null;
    }

    private protected override string? Parse(string raw, OcfEnvironment env)
    {
        var error = TryParse(raw, env, out var parsed);
        if (error is not null) return error;
        if (Check?.Invoke(parsed) is { } why)
            return $"parameter '{Name}' {why}" + (Private ? "" : $": {SafeText.Quote(raw)}");
        value = parsed;
        return null;
    }

    /// <summary>Parses a present value; returns an error sentence or null.</summary>
    private protected abstract string? TryParse(string raw, OcfEnvironment env, out T parsed);

    public override string ToString() => $"{Name}={Describe()}";
}

/// <summary>A free-text parameter. Unset takes the default; set-but-empty stays empty, as in the shell agents.</summary>
public sealed class StringParameter(string name, string shortDescription, string longDescription)
    : Parameter<string>(name, ParameterType.String, shortDescription, longDescription)
{
    public override string? DefaultText => DefaultDescription ?? (DefaultFrom is null ? Default : null);

    private protected override string? TryParse(string raw, OcfEnvironment env, out string parsed)
    {
        parsed = raw;
        return null;
    }
}

/// <summary>A whole number. Empty counts as unset (the shell agents test such values with [ -n ]).</summary>
public sealed class IntegerParameter(string name, string shortDescription, string longDescription)
    : Parameter<long>(name, ParameterType.Integer, shortDescription, longDescription)
{
    public long Minimum { get; init; } = long.MinValue;
    public long Maximum { get; init; } = long.MaxValue;

    public override string? DefaultText => DefaultDescription ?? (DefaultFrom is null ? Default.ToString(CultureInfo.InvariantCulture) : null);

    private protected override string? TryParse(string raw, OcfEnvironment env, out long parsed)
    {
        parsed = 0;
        var text = raw.Trim();
        if (text.Length == 0)
        {
            ApplyDefault(env);
            parsed = Value;
            return null;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed))
            return Invalid(raw, "must be a whole number");
        if (parsed < Minimum || parsed > Maximum)
            return Invalid(raw, Maximum == long.MaxValue ? $"must be at least {Minimum}" : Minimum == long.MinValue ? $"must be at most {Maximum}" : $"must be between {Minimum} and {Maximum}");
        return null;
    }
}

/// <summary>
/// An OCF truth value (1/yes/true/on/ja, 0/no/false/off/nein, any case). Empty means false, as
/// ocf_is_true says; anything else is rejected rather than silently taken as false.
/// </summary>
public sealed class BooleanParameter(string name, string shortDescription, string longDescription)
    : Parameter<bool>(name, ParameterType.Boolean, shortDescription, longDescription)
{
    public override string? DefaultText => DefaultDescription ?? (Default ? "true" : "false");

    private protected override string? TryParse(string raw, OcfEnvironment env, out bool parsed)
    {
        if (raw.Trim().Length == 0) { parsed = false; return null; }
        return OcfBoolean.TryParse(raw, out parsed) ? null : Invalid(raw, "must be a truth value (true/false, yes/no, 1/0, on/off)");
    }
}

/// <summary>
/// One of a fixed set of values. The OCF 1.0 DTD knows no select type, so meta-data shows it as a
/// string and lists the values in the long description. Empty counts as unset.
/// </summary>
public sealed class SelectParameter(string name, string shortDescription, string longDescription, params string[] options)
    : Parameter<string>(name, ParameterType.Select, shortDescription, longDescription)
{
    public override IReadOnlyList<string> Options { get; } = options;
    public override string? DefaultText => DefaultDescription ?? Default;

    private protected override string? TryParse(string raw, OcfEnvironment env, out string parsed)
    {
        parsed = raw;
        if (raw.Length == 0) { ApplyDefault(env); parsed = Value; return null; }
        foreach (var o in Options)
            if (o == raw) return null;
        return Invalid(raw, "must be one of " + string.Join(", ", Options));
    }
}

/// <summary>
/// A duration in seconds, fractions allowed ("0.5"), as sleep(1) takes it. The DTD has no such
/// type, so meta-data shows a string. Empty counts as unset.
/// </summary>
public sealed class SecondsParameter(string name, string shortDescription, string longDescription)
    : Parameter<TimeSpan>(name, ParameterType.String, shortDescription, longDescription)
{
    public TimeSpan Maximum { get; init; } = TimeSpan.FromDays(1);

    public override string? DefaultText => DefaultDescription ?? Default.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private protected override string? TryParse(string raw, OcfEnvironment env, out TimeSpan parsed)
    {
        parsed = TimeSpan.Zero;
        var text = raw.Trim();
        if (text.Length == 0) { ApplyDefault(env); parsed = Value; return null; }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds))
            return Invalid(raw, "must be a number of seconds (e.g. 5 or 0.5)");
        if (seconds > (decimal)Maximum.TotalSeconds)
            return Invalid(raw, $"must be at most {Maximum.TotalSeconds:0} seconds");
        parsed = TimeSpan.FromMilliseconds((double)(seconds * 1000m));
        return null;
    }
}
