using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LlamaOperator.Runtime.Webhooks;

/// <summary>
/// The webhook server's TLS certificate: tls.crt/tls.key from a folder (a mounted kubernetes.io/tls Secret, re-read
/// when the files change, as cert-manager renews them), or a certificate generated at start, signed by a CA of its own
/// whose PEM is the caBundle to register.
/// </summary>
public sealed class WebhookCertificate
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(10);
    private readonly string? _certFile;
    private readonly string? _keyFile;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private string _currentPem;
    private DateTime _checkedAt;

    private WebhookCertificate(X509Certificate2 certificate, string certificatePem, string? caBundlePem, string? certFile, string? keyFile)
    {
        _current = certificate;
        _currentPem = certificatePem;
        CaBundlePem = caBundlePem;
        _certFile = certFile;
        _keyFile = keyFile;
        _checkedAt = DateTime.UtcNow;
    }

    /// <summary>The PEM of the CA that signed a generated certificate (the webhook configuration's caBundle); null for one read from files.</summary>
    public string? CaBundlePem { get; }

    /// <summary>Where the certificate comes from, for the log.</summary>
    public string Source => _certFile is null ? "generated at start (self-signed CA)" : $"{_certFile} and {_keyFile}";

    /// <summary>Reads PEM files tls.crt and tls.key from <paramref name="directory"/>.</summary>
    public static WebhookCertificate FromDirectory(string directory)
    {
        var certFile = Path.Combine(directory, "tls.crt");
        var keyFile = Path.Combine(directory, "tls.key");
        var pem = File.ReadAllText(certFile);
        return new WebhookCertificate(Load(certFile, keyFile), pem, null, certFile, keyFile);
    }

    /// <summary>A CA and a serving certificate it signs for <paramref name="dnsNames"/> and <paramref name="addresses"/>, valid for a year.</summary>
    public static WebhookCertificate Generate(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=llama-operator-webhook-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddYears(1).AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = dnsNames.ToList();
        var request = new CertificateRequest($"CN={(names.Count > 0 ? names[0] : "llama-operator-webhook")}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, now, now.AddYears(1), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // A round trip through PKCS#12 gives a certificate whose key SslStream can use on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new WebhookCertificate(certificate, signed.ExportCertificatePem(), ca.ExportCertificatePem(), null, null);
    }

    /// <summary>The certificate to serve now; one read from files is re-read when tls.crt changed (checked every 10 s at most).</summary>
    public X509Certificate2 Current()
    {
        if (_certFile is null || _keyFile is null)
        {
            return _current;
        }

        lock (_gate)
        {
            if (DateTime.UtcNow - _checkedAt < RecheckEvery)
            {
                return _current;
            }

            _checkedAt = DateTime.UtcNow;
            try
            {
                var pem = File.ReadAllText(_certFile);
                if (pem != _currentPem)
                {
                    _current = Load(_certFile, _keyFile);
                    _currentPem = pem;
                }
            }
            catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException)
            {
                // A Secret volume is swapped atomically, but a half-written pair keeps the previous certificate.
            }

            return _current;
        }
    }

    private static X509Certificate2 Load(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
