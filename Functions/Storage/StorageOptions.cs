using System.ComponentModel.DataAnnotations;

namespace SocialLearning.Storage;

/// <summary>
/// Where tables and queues live (configuration section <c>Storage</c>). In Azure set
/// <see cref="AccountName"/> and grant the app's managed identity "Storage Table Data Contributor" and
/// "Storage Queue Data Contributor"; locally set <see cref="ConnectionString"/> to Azurite
/// (<c>UseDevelopmentStorage=true</c>). No account keys in settings.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Storage";

    /// <summary>Connection string, for Azurite only (e.g. <c>UseDevelopmentStorage=true</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Storage account name; endpoints <c>https://{name}.table|queue.core.windows.net</c>, authenticated with <c>DefaultAzureCredential</c>.</summary>
    public string? AccountName { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && string.IsNullOrWhiteSpace(AccountName))
        {
            yield return new ValidationResult(
                "Storage is not configured: set Storage:ConnectionString (local Azurite, e.g. UseDevelopmentStorage=true) " +
                "or Storage:AccountName (Azure, managed identity).",
                [nameof(ConnectionString), nameof(AccountName)]);
            yield break;
        }
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            string? error = null;
            try
            {
                _ = new Azure.Data.Tables.TableServiceClient(ConnectionString); // parses only, no I/O
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                error = ex.Message;
            }
            if (error is not null)
                yield return new ValidationResult($"Storage:ConnectionString is not a valid storage connection string: {error}", [nameof(ConnectionString)]);
        }
    }
}
