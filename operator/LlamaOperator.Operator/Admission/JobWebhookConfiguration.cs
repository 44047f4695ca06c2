using System.Text;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Operator.Admission;

/// <summary>
/// The ValidatingWebhookConfiguration that sends LlamaTrainingJob creates and updates to <see cref="JobAdmission"/>,
/// by URL (local mode and tests; the Helm chart renders the same webhook with a Service reference).
/// </summary>
public static class JobWebhookConfiguration
{
    public const string WebhookName = "validate.llamatrainingjobs.llamaoperator.dev";

    /// <param name="url">The webhook's HTTPS URL (the operator's webhook address + <see cref="JobAdmission.Path"/>).</param>
    /// <param name="caBundlePem">The PEM of the CA the serving certificate chains to.</param>
    public static V1ValidatingWebhookConfiguration ForUrl(string name, Uri url, string caBundlePem, string failurePolicy = "Fail") => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "ValidatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name },
        Webhooks =
        [
            new V1ValidatingWebhook
            {
                Name = WebhookName,
                AdmissionReviewVersions = ["v1"],
                SideEffects = "None",
                FailurePolicy = failurePolicy,
                TimeoutSeconds = 10,
                Rules =
                [
                    new V1RuleWithOperations
                    {
                        ApiGroups = [ApiGroup.Group],
                        ApiVersions = [ApiGroup.Version],
                        Resources = [ApiGroup.Plural],
                        Operations = ["CREATE", "UPDATE"],
                        Scope = "Namespaced",
                    },
                ],
                ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = url.ToString(), CaBundle = Encoding.UTF8.GetBytes(caBundlePem) },
            },
        ],
    };
}
