using System.Globalization;
using System.Text;

namespace HaCluster.Ocf.Logging;

/// <summary>
/// The strftime conversions HA_DATEFMT uses (resource-agents' hadate runs `date "+$HA_DATEFMT"`).
/// Unknown conversions are copied as they are, as date(1) does.
/// </summary>
public static class StrfTime
{
    static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static string Format(string format, DateTime t)
    {
        var sb = new StringBuilder(format.Length + 16);
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%' || i + 1 == format.Length) { sb.Append(c); continue; }
            char f = format[++i];
            switch (f)
            {
                case 'b': case 'h': sb.Append(Months[t.Month - 1]); break;
                case 'a': sb.Append(Days[(int)t.DayOfWeek]); break;
                case 'd': sb.Append(t.Day.ToString("00", inv)); break;
                case 'e': sb.Append(t.Day.ToString(inv).PadLeft(2)); break;
                case 'm': sb.Append(t.Month.ToString("00", inv)); break;
                case 'Y': sb.Append(t.Year.ToString("0000", inv)); break;
                case 'y': sb.Append((t.Year % 100).ToString("00", inv)); break;
                case 'H': sb.Append(t.Hour.ToString("00", inv)); break;
                case 'M': sb.Append(t.Minute.ToString("00", inv)); break;
                case 'S': sb.Append(t.Second.ToString("00", inv)); break;
                case 'j': sb.Append(t.DayOfYear.ToString("000", inv)); break;
                case 'N': sb.Append((t.Ticks % TimeSpan.TicksPerSecond * 100).ToString("000000000", inv)); break;
                case 'T': sb.Append(t.ToString("HH:mm:ss", inv)); break;
                case 'F': sb.Append(t.ToString("yyyy-MM-dd", inv)); break;
                case 'D': sb.Append(t.ToString("MM/dd/yy", inv)); break;
                case 's': sb.Append(new DateTimeOffset(t).ToUnixTimeSeconds().ToString(inv)); break;
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(f); break;
            }
        }
        return sb.ToString();
    }
}
