using System.Text.RegularExpressions;
using k8s.Models;

namespace LlamaOperator.Runtime.Conditions;

/// <summary>
/// Status conditions by the Kubernetes API conventions (metav1.Condition): one condition per type,
/// lastTransitionTime moves only when the status changes, observedGeneration records the spec generation
/// the condition was computed from. Pure: the caller passes the time.
/// </summary>
public static partial class Conditions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    /// <summary>
    /// Sets condition <paramref name="type"/> in <paramref name="conditions"/>; returns whether anything changed
    /// (so a reconciler writes status only when needed).
    /// </summary>
    public static bool Set(
        IList<V1Condition> conditions,
        string type,
        string status,
        string reason,
        string message,
        long? observedGeneration,
        DateTime now)
    {
        Validate(type, status, reason);
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = now,
            });
            return true;
        }

        var changed = false;
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = now;
            changed = true;
        }

        changed |= Update(existing.Reason, reason, v => existing.Reason = v);
        changed |= Update(existing.Message, message, v => existing.Message = v);
        if (existing.ObservedGeneration != observedGeneration)
        {
            existing.ObservedGeneration = observedGeneration;
            changed = true;
        }

        return changed;
    }

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) => Find(conditions, type)?.Status == True;

    public static bool IsFalse(IEnumerable<V1Condition>? conditions, string type) => Find(conditions, type)?.Status == False;

    /// <summary>Removes condition <paramref name="type"/>; returns whether it was there.</summary>
    public static bool Remove(IList<V1Condition> conditions, string type)
    {
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        return existing is not null && conditions.Remove(existing);
    }

    private static bool Update(string current, string wanted, Action<string> set)
    {
        if (current == wanted)
        {
            return false;
        }

        set(wanted);
        return true;
    }

    private static void Validate(string type, string status, string reason)
    {
        if (string.IsNullOrEmpty(type))
        {
            throw new ArgumentException("Condition type must not be empty.", nameof(type));
        }

        if (status is not (True or False or Unknown))
        {
            throw new ArgumentException($"Condition '{type}': status must be True, False or Unknown, not '{status}'.", nameof(status));
        }

        if (!ReasonPattern().IsMatch(reason ?? ""))
        {
            throw new ArgumentException(
                $"Condition '{type}': reason '{reason}' must be a non-empty CamelCase identifier (letters, digits, '_', ',' or ':').",
                nameof(reason));
        }
    }

    // metav1.Condition's validation pattern for reason.
    [GeneratedRegex("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    private static partial Regex ReasonPattern();
}
