using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CongressVote.Server.Delegates;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CongressVote.Server.Demo;

/// <summary>What a freshly created demo congress can be entered with; tokens exist nowhere else in clear.</summary>
public sealed record DemoAccess(
    Guid CongressId,
    string ProjectorCode,
    IReadOnlyList<(string UserName, string Role, string Password)> Staff,
    IReadOnlyList<(string Code, string FullName, string Delegation, string Token)> Delegates);

/// <summary>
/// Creates a demo congress: official delegates with generated Vietnamese names (not real people) in a dozen
/// delegations, a few guests, the standard opening programme with its votes, and staff accounts.
/// Tests use it too, each with a congress of its own.
/// </summary>
public static class DemoCongress
{
    private static readonly string[] s_familyNames =
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai"];

    private static readonly string[] s_maleMiddle = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân", "Công", "Thành", "Bá", "Tiến"];
    private static readonly string[] s_femaleMiddle = ["Thị", "Ngọc", "Thu", "Thanh", "Bích", "Kim", "Hồng", "Diệu", "Minh", "Hoài"];
    private static readonly string[] s_maleGiven = ["An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Ân", "Đông", "Lộc", "Toàn"];
    private static readonly string[] s_femaleGiven = ["Ánh", "Chi", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Quỳnh", "Tâm", "Thảo", "Trang", "Uyên", "Vân", "Yến", "Ấn", "Oanh", "Thư"];

    private static readonly string[] s_delegations =
    [
        "Quân khu 1", "Quân khu 2", "Quân khu 3", "Quân khu 4", "Quân khu 5", "Quân khu 7",
        "Quân khu 9", "Bộ Tư lệnh Thủ đô Hà Nội", "Quân chủng Hải quân", "Quân chủng Phòng không – Không quân",
        "Bộ đội Biên phòng", "Khối các cơ quan Bộ Quốc phòng",
    ];

    private static readonly string[] s_positions = ["Chủ tịch Hội đồng", "Phó Chủ tịch", "Ủy viên", "Trưởng ban", "Cán bộ", "Đoàn viên"];

    /// <summary>The standard opening of a Vietnamese congress (docs/architecture.md §3); those with a poll carry its question.</summary>
    private static readonly (string Title, string Kind, string? Question)[] s_programme =
    [
        ("Khai mạc Đại hội", "procedural", null),
        ("Thông qua Đoàn Chủ tịch, Đoàn Thư ký và Ban Kiểm phiếu", "vote", "Đại hội biểu quyết thông qua danh sách Đoàn Chủ tịch, Đoàn Thư ký và Ban Kiểm phiếu."),
        ("Thông qua Chương trình và Quy chế làm việc của Đại hội", "vote", "Đại hội biểu quyết thông qua Chương trình và Quy chế làm việc của Đại hội."),
        ("Báo cáo thẩm tra tư cách đại biểu", "vote", "Đại hội biểu quyết thông qua Báo cáo thẩm tra tư cách đại biểu."),
        ("Báo cáo chính trị", "report", null),
        ("Thảo luận", "discussion", null),
        ("Bầu Ban Chấp hành khóa mới", "election", null),
        ("Thông qua Nghị quyết Đại hội", "vote", "Đại hội biểu quyết thông qua Nghị quyết Đại hội."),
        ("Bế mạc", "procedural", null),
    ];

    public static async Task<DemoAccess> CreateAsync(
        NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher,
        string name, int officialDelegates = 363, int guests = 5, string? staffPassword = null, int seed = 2026, int? checkedIn = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(hasher);
        var random = new Random(seed);
        var congressId = Guid.NewGuid();
        string projectorCode = BadgeTokens.New();
        // User names are unique across the server; a suffix keeps several congresses (and test runs) apart.
        string suffix = officialDelegates == 363 && seed == 2026 ? "" : "-" + congressId.ToString("N")[..6];

        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO congress (id, name, starts_on, projector_code_hash) VALUES (@congressId, @name, @startsOn, @hash)",
            new { congressId, name = name.Normalize(NormalizationForm.FormC), startsOn = DateOnly.FromDateTime(DateTime.Today), hash = BadgeTokens.Hash(projectorCode) },
            transaction);

        var delegationIds = s_delegations.Select(_ => Guid.NewGuid()).ToArray();
        // An empty congress (for a secretariat that imports its own list) starts without delegations.
        int delegationCount = officialDelegates + guests == 0 ? 0 : s_delegations.Length;
        await connection.ExecuteAsync(
            "INSERT INTO delegation (id, congress_id, name, position) SELECT unnest(@delegationIds), @congressId, unnest(@names), generate_series(1, @count)",
            new { delegationIds = delegationIds[..delegationCount], congressId, names = s_delegations[..delegationCount], count = delegationCount }, transaction);

        var delegates = new List<(string Code, string FullName, string Delegation, string Token)>();
        var rows = new List<DelegateRow>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < officialDelegates + guests; i++)
        {
            bool guest = i >= officialDelegates;
            bool female = random.Next(100) < 38;
            string fullName;
            int attempts = 0;
            do
            {
                fullName = string.Join(' ',
                    s_familyNames[random.Next(s_familyNames.Length)],
                    female ? s_femaleMiddle[random.Next(s_femaleMiddle.Length)] : s_maleMiddle[random.Next(s_maleMiddle.Length)],
                    female ? s_femaleGiven[random.Next(s_femaleGiven.Length)] : s_maleGiven[random.Next(s_maleGiven.Length)]);
            }
            while (!usedNames.Add(fullName) && ++attempts < 50);

            int delegation = guest ? random.Next(s_delegations.Length) : i % s_delegations.Length;
            string code = (guest ? "KM" : "DB") + (i + 1).ToString("D4", CultureInfo.InvariantCulture);
            string token = BadgeTokens.New();
            delegates.Add((code, fullName, s_delegations[delegation], token));
            rows.Add(new DelegateRow(Guid.NewGuid(), delegationIds[delegation], code, fullName, guest ? "guest" : "official", !guest,
                female ? "female" : "male", s_positions[random.Next(s_positions.Length)], BadgeTokens.Hash(token)));
        }

        await connection.ExecuteAsync("""
            INSERT INTO delegate (id, congress_id, delegation_id, code, full_name, kind, may_vote, gender, position, token_hash)
            VALUES (@Id, @congressId, @DelegationId, @Code, @FullName, @Kind, @MayVote, @Gender, @Position, @TokenHash)
            """, rows.Select(r => new { r.Id, congressId, r.DelegationId, r.Code, r.FullName, r.Kind, r.MayVote, r.Gender, r.Position, r.TokenHash }), transaction);

        for (int position = 1; position <= s_programme.Length; position++)
        {
            var (title, kind, question) = s_programme[position - 1];
            var itemId = Guid.NewGuid();
            await connection.ExecuteAsync(
                "INSERT INTO agenda_item (id, congress_id, position, title, kind) VALUES (@itemId, @congressId, @position, @title, @kind)",
                new { itemId, congressId, position, title, kind }, transaction);
            if (kind == "election")
            {
                await AddElectionAsync(connection, transaction, congressId, itemId, random);
            }

            if (question is not null)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO poll (id, congress_id, agenda_item_id, title, question) VALUES (@id, @congressId, @itemId, @title, @question)",
                    new { id = Guid.NewGuid(), congressId, itemId, title, question }, transaction);
            }
        }

        // Delegates already through the door: by default everyone, so a vote can open at once.
        int present = Math.Clamp(checkedIn ?? officialDelegates, 0, officialDelegates);
        var presentIds = rows.Where(r => r.Kind == "official").Take(present).Select(r => r.Id).ToArray();
        await connection.ExecuteAsync(
            "UPDATE delegate SET checked_in_at = now() WHERE id = ANY(@presentIds)", new { presentIds }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO attendance_event (delegate_id, kind, desk, actor) SELECT unnest(@presentIds), 'in', 'demo', 'demo'",
            new { presentIds }, transaction);

        var staff = new List<(string, string, string)>();
        foreach (var (userName, displayName, role) in new[]
        {
            ("admin", "Quản trị", Roles.Admin),
            ("chair", "Đoàn Chủ tịch", Roles.Chair),
            ("secretary", "Đoàn Thư ký", Roles.Secretary),
            ("desk", "Ban Thẩm tra tư cách đại biểu", Roles.Credentials),
            // Two members of the vote-counting committee: paper ballots are entered by two different people.
            ("counting", "Trưởng Ban Kiểm phiếu", Roles.Counting),
            ("counting2", "Ủy viên Ban Kiểm phiếu", Roles.Counting),
        })
        {
            string password = staffPassword ?? NewPassword();
            var account = new StaffAccount(Guid.NewGuid(), congressId, userName + suffix, displayName, role, "");
            await connection.ExecuteAsync(
                "INSERT INTO staff_account (id, congress_id, user_name, display_name, role, password_hash) VALUES (@Id, @CongressId, @UserName, @DisplayName, @Role, @hash)",
                new { account.Id, account.CongressId, account.UserName, account.DisplayName, account.Role, hash = hasher.HashPassword(account, password) },
                transaction);
            staff.Add((account.UserName, role, password));
        }

        await transaction.CommitAsync();
        return new DemoAccess(congressId, projectorCode, staff, delegates);
    }

    /// <summary>The election of the new executive committee: 15 seats, 18 candidates, by the preset's election rule.</summary>
    private static async Task AddElectionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid itemId, Random random)
    {
        var rule = CongressPreset.MassOrganisation.Election;
        var pollId = Guid.NewGuid();
        await connection.ExecuteAsync("""
            INSERT INTO poll (id, congress_id, agenda_item_id, title, question, secret, allow_abstain, kind, seats,
                              rule_numerator, rule_denominator, rule_strict, rule_base)
            VALUES (@pollId, @congressId, @itemId, 'Bầu Ban Chấp hành khóa mới', '', true, false, 'election', 15,
                    @Numerator, @Denominator, @Strict, @ruleBase)
            """, new { pollId, congressId, itemId, rule.Numerator, rule.Denominator, rule.Strict, ruleBase = rule.Base.ToString() }, transaction);
        var names = new HashSet<string>();
        while (names.Count < 18)
        {
            bool female = random.Next(3) == 0;
            names.Add($"{s_familyNames[random.Next(s_familyNames.Length)]} {(female ? s_femaleMiddle : s_maleMiddle)[random.Next(10)]} {(female ? s_femaleGiven : s_maleGiven)[random.Next(24)]}");
        }

        var list = names.ToList();
        await connection.ExecuteAsync("""
            INSERT INTO candidate (poll_id, position, full_name, birth_year, job_title, unit)
            VALUES (@pollId, @position, @fullName, @birthYear, @jobTitle, @unit)
            """, list.Select((n, i) => new
        {
            pollId, position = (short)(i + 1), fullName = n, birthYear = 1970 + random.Next(25),
            jobTitle = s_positions[random.Next(s_positions.Length)], unit = s_delegations[random.Next(s_delegations.Length)],
        }), transaction);
    }

    private sealed record DelegateRow(Guid Id, Guid DelegationId, string Code, string FullName, string Kind, bool MayVote, string Gender, string Position, byte[] TokenHash);

    private static string NewPassword()
    {
        // No look-alike characters: the password is read off a terminal and typed on a tablet.
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return string.Create(12, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
