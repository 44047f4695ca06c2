using System.Globalization;

namespace LlamaOperator.DevCluster.Table;

/// <summary>The short age format of `kubectl get` (5s, 3m12s, 47m, 5h3m, 2d, 3y), as the server renders date columns.</summary>
public static class HumanDuration
{
    public static string Format(TimeSpan age)
    {
        static string I(double v) => ((long)v).ToString(CultureInfo.InvariantCulture);
        var seconds = Math.Max(0, age.TotalSeconds);
        if (seconds < 120)
        {
            return I(seconds) + "s";
        }
        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = (long)seconds % 60;
            return s == 0 ? I(minutes) + "m" : $"{I(minutes)}m{s}s";
        }
        if (minutes < 180)
        {
            return I(minutes) + "m";
        }
        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = (long)minutes % 60;
            return m == 0 ? I(hours) + "h" : $"{I(hours)}h{m}m";
        }
        if (hours < 48)
        {
            return I(hours) + "h";
        }
        var days = hours / 24;
        if (days < 8)
        {
            var h = (long)hours % 24;
            return h == 0 ? I(days) + "d" : $"{I(days)}d{h}h";
        }
        return days < 365 * 2 ? I(days) + "d" : I(days / 365) + "y";
    }
}
