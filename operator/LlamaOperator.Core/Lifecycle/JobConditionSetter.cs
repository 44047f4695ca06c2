using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Sets a condition on the job's status by the API conventions: one per type, lastTransitionTime moves only when
/// the status changes, observedGeneration records the spec generation it was computed from.
/// </summary>
internal static class JobConditionSetter
{
    public const string True = "True";
    public const string False = "False";

    public static void Set(LlamaTrainingJobStatus status, string type, bool value, string reason, string message, long? generation, DateTime now)
    {
        var conditions = status.Conditions ??= [];
        var wanted = value ? True : False;
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new JobCondition { Type = type, Status = wanted, Reason = reason, Message = message, LastTransitionTime = now, ObservedGeneration = generation });
            return;
        }

        if (existing.Status != wanted)
        {
            existing.Status = wanted;
            existing.LastTransitionTime = now;
        }

        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = generation;
    }

    public static JobCondition? Find(LlamaTrainingJobStatus status, string type) => status.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(LlamaTrainingJobStatus status, string type) => Find(status, type)?.Status == True;
}
