using CongressVote.Server.Delegates;
using CongressVote.Server.Sessions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Congresses;

public sealed class SetupOptions
{
    /// <summary>The first administrator's password, from --Setup:AdminPassword or Setup__AdminPassword; never a default.</summary>
    public string? AdminPassword { get; set; }

    public string AdminUserName { get; set; } = "admin";

    public string CongressName { get; set; } = "Đại hội đại biểu";
}

/// <summary>
/// On a server with no congress (and no demo), creates the congress and its first administrator from the
/// command line or the environment. Without a password it creates nothing and says how to.
/// </summary>
public sealed class FirstStart(
    NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher, IOptions<SetupOptions> options, IOptions<Demo.DemoOptions> demo, ILogger<FirstStart> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (demo.Value.Seed)
        {
            return;
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM congress)"))
        {
            return;
        }

        var setup = options.Value;
        if (string.IsNullOrEmpty(setup.AdminPassword) || setup.AdminPassword.Length < StaffAccount.MinimumPasswordLength)
        {
            logger.LogWarning(
                "No congress exists yet. Start once with Setup__AdminPassword (at least {Length} characters) and optionally Setup__CongressName to create it and its administrator",
                StaffAccount.MinimumPasswordLength);
            return;
        }

        var congressId = Guid.NewGuid();
        var adminId = Guid.NewGuid();
        var account = new StaffAccount(adminId, congressId, setup.AdminUserName, "Quản trị", Roles.Admin, "");
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO congress (id, name, starts_on, projector_code_hash) VALUES (@congressId, @name, current_date, @hash)",
            new { congressId, name = setup.CongressName.Normalize(System.Text.NormalizationForm.FormC), hash = BadgeTokens.Hash(BadgeTokens.New()) }, transaction);
        await connection.ExecuteAsync("""
            INSERT INTO staff_account (id, congress_id, user_name, display_name, role, password_hash)
            VALUES (@adminId, @congressId, @UserName, @DisplayName, 'admin', @hash)
            """, new { adminId, congressId, account.UserName, account.DisplayName, hash = hasher.HashPassword(account, setup.AdminPassword) }, transaction);
        // A new congress starts from the standard opening of its preset; the secretariat edits it from there.
        await Agenda.StandardOpening.SeedAsync(connection, transaction, congressId, Shared.CongressPreset.MassOrganisation);
        await Audit.AuditLog.WriteAsync(transaction, "server", null, congressId, "congress.create", setup.CongressName, new { admin = setup.AdminUserName });
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Created the congress \"{Name}\" and its administrator \"{UserName}\"", setup.CongressName, setup.AdminUserName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
