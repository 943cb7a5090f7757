using System.Data;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Delegates;

/// <summary>The SQL the import, the form and the export share.</summary>
public static class DelegateRegistry
{
    public sealed record RegistryEntry(
        Guid Id, string Code, string FullName, string Delegation, string? Position, string? Rank, string? Gender,
        int? BirthYear, string Kind, string? Seat, string? Notes, bool HasBadge, DateTime? CheckedInAt)
    {
        public DelegateDto ToDto() => new(Id, Code, FullName, Delegation, Position, Rank,
            Gender is null ? null : Enum.Parse<Gender>(Gender, ignoreCase: true), BirthYear,
            Enum.Parse<DelegateKind>(Kind, ignoreCase: true), Seat, Notes, HasBadge, Polls.PollQueries.Utc(CheckedInAt));

        public bool SameAs(DelegateRow row) =>
            FullName == row.FullName && Delegation == row.Delegation && Position == row.Position && Rank == row.Rank
            && Gender == Db(row.Gender) && BirthYear == row.BirthYear && Kind == Db(row.Kind) && Seat == row.Seat && Notes == row.Notes;
    }

    public const string SelectDelegates = """
        SELECT d.id, d.code, d.full_name, coalesce(dl.name, '') AS delegation, d.position, d.rank, d.gender, d.birth_year,
               d.kind, d.seat, d.notes, (d.token_hash IS NOT NULL) AS has_badge, d.checked_in_at
        FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
        """;

    public static string Db(DelegateKind kind) => kind.ToString().ToLowerInvariant();

    public static string? Db(Gender? gender) => gender?.ToString().ToLowerInvariant();

    /// <summary>Alternates vote only if the congress decides so (a later setting); guests never.</summary>
    public static bool MayVote(DelegateKind kind) => kind == DelegateKind.Official;

    public static async Task<List<RegistryEntry>> AllAsync(IDbConnection connection, Guid congressId, IDbTransaction? transaction = null) =>
        (await connection.QueryAsync<RegistryEntry>($"{SelectDelegates} WHERE d.congress_id = @congressId", new { congressId }, transaction)).ToList();

    /// <summary>Creates the delegations a list names that do not exist yet; returns every delegation's id by name.</summary>
    public static async Task<Dictionary<string, Guid>> EnsureDelegationsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, IEnumerable<string> names)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).ToArray();
        await connection.ExecuteAsync("""
            INSERT INTO delegation (id, congress_id, name, position)
            SELECT gen_random_uuid(), @congressId, n.name,
                   coalesce((SELECT max(position) FROM delegation WHERE congress_id = @congressId), 0) + n.ord
            FROM unnest(@wanted) WITH ORDINALITY AS n(name, ord)
            ON CONFLICT (congress_id, name) DO NOTHING
            """, new { congressId, wanted }, transaction);
        return (await connection.QueryAsync<(string Name, Guid Id)>(
                "SELECT name, id FROM delegation WHERE congress_id = @congressId", new { congressId }, transaction))
            .ToDictionary(d => d.Name, d => d.Id, StringComparer.Ordinal);
    }

    /// <summary>Inserts new codes and updates changed ones in two statements, so 5,000 rows take well under a second.</summary>
    public sealed record UpsertResult(int Added, int Changed, int Unchanged, IReadOnlyList<ImportProblemDto> Problems);

    /// <summary>
    /// Serialises changes to one congress's registry (imports, edits, removals), so two of them at once cannot
    /// interleave their reads and writes.
    /// </summary>
    public static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 7))", new { key = congressId.ToString() }, transaction);

    public static async Task<UpsertResult> UpsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, IReadOnlyList<DelegateRow> rows)
    {
        var existing = (await AllAsync(connection, congressId, transaction)).ToDictionary(d => d.Code, StringComparer.OrdinalIgnoreCase);
        var added = rows.Where(r => !existing.ContainsKey(r.Code)).ToList();
        var changed = rows.Where(r => existing.TryGetValue(r.Code, out var e) && !e.SameAs(r)).ToList();

        // While a vote is open its roll is fixed: changing who may vote then would make the roll and the hall disagree.
        bool pollOpen = await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM poll WHERE congress_id = @congressId AND state = 'open')", new { congressId }, transaction);
        if (pollOpen)
        {
            var problems = changed.Where(r => existing[r.Code].Kind != Db(r.Kind))
                .Select(r => new ImportProblemDto(r.Row, "Loại đại biểu", "poll_open", r.Code)).ToList();
            if (problems.Count > 0)
            {
                return new UpsertResult(0, 0, 0, problems);
            }
        }

        // A delegation already in the registry keeps its spelling: "Quân Khu 1" in a new file is "Quân khu 1".
        var known = (await connection.QueryAsync<string>("SELECT name FROM delegation WHERE congress_id = @congressId", new { congressId }, transaction))
            .GroupBy(n => n.ToLower(System.Globalization.CultureInfo.GetCultureInfo("vi-VN"))).ToDictionary(g => g.Key, g => g.First());
        foreach (var row in rows)
        {
            // Within one file too, the first spelling of a new delegation is the one kept.
            known.TryAdd(row.Delegation.ToLower(System.Globalization.CultureInfo.GetCultureInfo("vi-VN")), row.Delegation);
        }

        rows = rows.Select(r => known.TryGetValue(r.Delegation.ToLower(System.Globalization.CultureInfo.GetCultureInfo("vi-VN")), out var name) ? r with { Delegation = name } : r).ToList();
        added = rows.Where(r => !existing.ContainsKey(r.Code)).ToList();
        changed = rows.Where(r => existing.TryGetValue(r.Code, out var e) && !e.SameAs(r)).ToList();
        var delegations = await EnsureDelegationsAsync(connection, transaction, congressId, rows.Select(r => r.Delegation));

        if (added.Count > 0)
        {
            await connection.ExecuteAsync("""
                INSERT INTO delegate (id, congress_id, delegation_id, code, full_name, kind, may_vote, gender, position, rank, birth_year, seat, notes)
                SELECT gen_random_uuid(), @congressId, t.delegation_id, t.code, t.full_name, t.kind, t.may_vote, t.gender, t.position,
                       t.rank, t.birth_year, t.seat, t.notes
                FROM unnest(@delegationIds, @codes, @names, @kinds, @mayVote, @genders, @positions, @ranks, @birthYears, @seats, @notes)
                    AS t(delegation_id, code, full_name, kind, may_vote, gender, position, rank, birth_year, seat, notes)
                """, Columns(congressId, added, delegations), transaction);
        }

        if (changed.Count > 0)
        {
            await connection.ExecuteAsync("""
                UPDATE delegate d SET delegation_id = t.delegation_id, full_name = t.full_name, kind = t.kind, may_vote = t.may_vote,
                       gender = t.gender, position = t.position, rank = t.rank, birth_year = t.birth_year, seat = t.seat,
                       notes = t.notes, updated_at = now()
                FROM unnest(@delegationIds, @codes, @names, @kinds, @mayVote, @genders, @positions, @ranks, @birthYears, @seats, @notes)
                    AS t(delegation_id, code, full_name, kind, may_vote, gender, position, rank, birth_year, seat, notes)
                WHERE d.congress_id = @congressId AND upper(d.code) = upper(t.code)
                """, Columns(congressId, changed, delegations), transaction);
        }

        return new UpsertResult(added.Count, changed.Count, rows.Count - added.Count - changed.Count, []);
    }

    private static object Columns(Guid congressId, List<DelegateRow> rows, Dictionary<string, Guid> delegations) => new
    {
        congressId,
        delegationIds = rows.Select(r => delegations[r.Delegation]).ToArray(),
        codes = rows.Select(r => r.Code).ToArray(),
        names = rows.Select(r => r.FullName).ToArray(),
        kinds = rows.Select(r => Db(r.Kind)).ToArray(),
        mayVote = rows.Select(r => MayVote(r.Kind)).ToArray(),
        genders = rows.Select(r => Db(r.Gender)).ToArray(),
        positions = rows.Select(r => r.Position).ToArray(),
        ranks = rows.Select(r => r.Rank).ToArray(),
        birthYears = rows.Select(r => r.BirthYear).ToArray(),
        seats = rows.Select(r => r.Seat).ToArray(),
        notes = rows.Select(r => r.Notes).ToArray(),
    };
}
