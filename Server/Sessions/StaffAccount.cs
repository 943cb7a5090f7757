namespace CongressVote.Server.Sessions;

/// <summary>A staff account as stored; the password hasher and sign-in, the staff endpoints and the first start use it.</summary>
public sealed record StaffAccount(Guid Id, Guid CongressId, string UserName, string DisplayName, string Role, string PasswordHash)
{
    /// <summary>The shortest password a staff account may have.</summary>
    public const int MinimumPasswordLength = 10;
}
