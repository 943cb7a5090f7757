using System.Data;
using System.Globalization;
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

        /// <summary>The stored delegate with the fields the row gives put in; the others stay as stored.</summary>
        public DelegateRow Merge(DelegateRow row)
        {
            T Pick<T>(DelegateFile.Field field, T stored, T given) => row.Given.Contains(field) ? given : stored;
            return row with
            {
                Position = Pick(DelegateFile.Field.Position, Position, row.Position),
                Rank = Pick(DelegateFile.Field.Rank, Rank, row.Rank),
                Gender = Pick(DelegateFile.Field.Gender, Gender is null ? null : Enum.Parse<Gender>(Gender, ignoreCase: true), row.Gender),
                BirthYear = Pick(DelegateFile.Field.BirthYear, BirthYear, row.BirthYear),
                Kind = Pick(DelegateFile.Field.Kind, Enum.Parse<DelegateKind>(Kind, ignoreCase: true), row.Kind),
                Seat = Pick(DelegateFile.Field.Seat, Seat, row.Seat),
                Notes = Pick(DelegateFile.Field.Notes, Notes, row.Notes),
            };
        }

        /// <summary>Each field the merged row changes, old value to new, as the report and the audit trail show them.</summary>
        public List<DelegateChangeDto> Differences(DelegateRow merged)
        {
            var stored = ToDto();
            var changes = new List<DelegateChangeDto>();
            void Compare(string field, string? old, string? now)
            {
                if (old != now)
                {
                    changes.Add(new DelegateChangeDto(Code, FullName, field, old, now));
                }
            }

            Compare(nameof(FullName), stored.FullName, merged.FullName);
            Compare(nameof(Delegation), stored.Delegation, merged.Delegation);
            Compare(nameof(Position), stored.Position, merged.Position);
            Compare(nameof(Rank), stored.Rank, merged.Rank);
            Compare(nameof(Gender), stored.Gender?.ToString(), merged.Gender?.ToString());
            Compare(nameof(BirthYear), stored.BirthYear?.ToString(CultureInfo.InvariantCulture), merged.BirthYear?.ToString(CultureInfo.InvariantCulture));
            Compare(nameof(Kind), stored.Kind.ToString(), merged.Kind.ToString());
            Compare(nameof(Seat), stored.Seat, merged.Seat);
            Compare(nameof(Notes), stored.Notes, merged.Notes);
            return changes;
        }
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

    /// <summary>
    /// What a list would do to the registry, computed without writing: the rows to add, the merged rows to
    /// update, each difference, and a fingerprint of those differences so that a confirmation applies exactly
    /// what its preview showed.
    /// </summary>
    public sealed record ImportPlan(
        IReadOnlyList<DelegateRow> Added, IReadOnlyList<DelegateRow> Changed, int Unchanged,
        IReadOnlyList<DelegateChangeDto> Changes, IReadOnlyList<ImportProblemDto> Problems, string Fingerprint);

    /// <summary>
    /// Serialises changes to one congress's registry (imports, edits, removals), so two of them at once cannot
    /// interleave their reads and writes.
    /// </summary>
    public static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 7))", new { key = congressId.ToString() }, transaction);

    /// <summary>Reads only: a preview stops here (its transaction is rolled back), an import goes on to <see cref="ApplyAsync"/>.</summary>
    public static async Task<ImportPlan> PlanAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid congressId, IReadOnlyList<DelegateRow> rows)
    {
        var existing = (await AllAsync(connection, congressId, transaction)).ToDictionary(d => d.Code, StringComparer.OrdinalIgnoreCase);

        // A delegation already in the registry keeps its spelling: "Quân Khu 1" in a new file is "Quân khu 1".
        var vietnamese = CultureInfo.GetCultureInfo("vi-VN");
        var known = (await connection.QueryAsync<string>("SELECT name FROM delegation WHERE congress_id = @congressId", new { congressId }, transaction))
            .GroupBy(n => n.ToLower(vietnamese)).ToDictionary(g => g.Key, g => g.First());
        foreach (var row in rows)
        {
            // Within one file too, the first spelling of a new delegation is the one kept.
            known.TryAdd(row.Delegation.ToLower(vietnamese), row.Delegation);
        }

        var added = new List<DelegateRow>();
        var changed = new List<DelegateRow>();
        var changes = new List<DelegateChangeDto>();
        var problems = new List<ImportProblemDto>();
        foreach (var given in rows)
        {
            var row = given with { Delegation = known[given.Delegation.ToLower(vietnamese)] };
            if (!existing.TryGetValue(row.Code, out var stored))
            {
                added.Add(row);
                changes.Add(new DelegateChangeDto(row.Code, row.FullName, field: null, null, null));
                continue;
            }

            var merged = stored.Merge(row);
            var differences = stored.Differences(merged);
            if (differences.Count == 0)
            {
                continue;
            }

            changed.Add(merged);
            changes.AddRange(differences);
            if (stored.Kind != Db(merged.Kind))
            {
                // While a vote is open its roll is fixed: changing who may vote then would make the roll and the hall disagree.
                problems.Add(new ImportProblemDto(row.Row, "Loại đại biểu", "poll_open", row.Code));
            }
        }

        if (problems.Count > 0 && !await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM poll WHERE congress_id = @congressId AND state = 'open')", new { congressId }, transaction))
        {
            problems.Clear();
        }

        return new ImportPlan(added, changed, rows.Count - added.Count - changed.Count, changes, problems, Fingerprint(changes));
    }

    private static string Fingerprint(List<DelegateChangeDto> changes)
    {
        var text = new System.Text.StringBuilder();
        foreach (var change in changes)
        {
            text.Append(change.Code).Append('\u001F').Append(change.Field).Append('\u001F').Append(change.Old)
                .Append('\u001F').Append(change.New).Append('\u001E');
        }

        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }

    /// <summary>Inserts the new codes and updates the changed ones in two statements, so 5,000 rows take well under a second.</summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, ImportPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var added = plan.Added.ToList();
        var changed = plan.Changed.ToList();
        var delegations = await EnsureDelegationsAsync(connection, transaction, congressId, added.Concat(changed).Select(r => r.Delegation));

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
    }

    /// <summary>Plans and applies at once (the add/edit form); nothing is written when the plan has problems.</summary>
    public static async Task<ImportPlan> UpsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, IReadOnlyList<DelegateRow> rows)
    {
        var plan = await PlanAsync(connection, transaction, congressId, rows);
        if (plan.Problems.Count == 0)
        {
            await ApplyAsync(connection, transaction, congressId, plan);
        }

        return plan;
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
