using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Polls;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Elections;

/// <summary>
/// The nominations of an election dossier (docs/architecture.md §9, step 2 and 3): the presidium's list, paper
/// nominations, nominations and answers from the tablets, withdrawals asked and recorded, and the search for a nominee.
/// </summary>
public sealed partial class Dossiers
{
    /// <summary>A delegate who may stand: one of this congress's delegates, not a guest.</summary>
    private static async Task<bool> NomineeExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid delegateId) =>
        await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM delegate WHERE id = @delegateId AND congress_id = @congressId AND kind <> 'guest')",
            new { delegateId, congressId }, transaction);

    private static async Task<bool> AlreadyNominatedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid dossierId, Guid delegateId) =>
        await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM nomination WHERE dossier_id = @dossierId AND delegate_id = @delegateId AND state <> 'declined')",
            new { dossierId, delegateId }, transaction);

    /// <summary>The presidium's recommended list, replaced whole, in its order; before nominations close.</summary>
    public async Task<(DossierDto?, Refusal?)> SetPresidiumListAsync(Guid dossierId, NomineesDto list, ClaimsPrincipal user, HttpContext? http)
    {
        var ids = list.DelegateIds ?? [];
        if (ids.Count > CandidateFile.MaxCandidates || ids.Distinct().Count() != ids.Count)
        {
            return (null, RefuseBad("bad_nominees", "A list names each delegate once, at most 500."));
        }

        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, dossier) =>
        {
            if (dossier.Step is not ("seats" or "nominations"))
            {
                return (null, RefuseConflict("nominations_closed", "Nominations are closed: the list can no longer change."));
            }

            await connection.ExecuteAsync("DELETE FROM nomination WHERE dossier_id = @dossierId AND source = 'presidium'", new { dossierId }, transaction);
            for (int i = 0; i < ids.Count; i++)
            {
                if (!await NomineeExistsAsync(connection, transaction, congressId, ids[i]))
                {
                    return (null, RefuseBad("unknown_nominee", "Only a delegate of this congress can be nominated."));
                }

                if (await AlreadyNominatedAsync(connection, transaction, dossierId, ids[i]))
                {
                    return (null, RefuseConflict("already_nominated", "This delegate is already nominated."));
                }

                await connection.ExecuteAsync("""
                    INSERT INTO nomination (id, dossier_id, delegate_id, source, presidium_position, state)
                    VALUES (@id, @dossierId, @delegateId, 'presidium', @position, 'accepted')
                    """, new { id = Guid.NewGuid(), dossierId, delegateId = ids[i], position = i + 1 }, transaction);
            }

            await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.presidium_list", dossierId.ToString(), new { delegates = ids });
            return await FinishAsync(connection, transaction, congressId, dossierId);
        });
    }

    /// <summary>A nomination handed in on paper: the secretariat records it with the nominee's consent it carries.</summary>
    public async Task<(DossierDto?, Refusal?)> PaperNominationAsync(Guid dossierId, NomineesDto nominee, ClaimsPrincipal user, HttpContext? http)
    {
        if (nominee.DelegateIds is not { Count: 1 } one)
        {
            return (null, RefuseBad("bad_nominees", "A paper nomination names one delegate."));
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var refusal = await InsertNominationAsync(connection, transaction, congressId, dossierId, one[0], nominatedBy: null, source: "paper");
        if (refusal is not null)
        {
            return (null, refusal);
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.paper_nomination", dossierId.ToString(), new { delegateId = one[0] });
        return await FinishAsync(connection, transaction, congressId, dossierId);
    }

    /// <summary>A delegate nominates another delegate (who must accept) or themself (who stands by doing so).</summary>
    public async Task<DossierAnswer> NominateAsync(ClaimsPrincipal user, NominateRequest request)
    {
        Guid congressId = user.CongressId();
        Guid me = user.SubjectId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        bool self = request.DelegateId == me;
        var refusal = await InsertNominationAsync(connection, transaction, congressId, request.DossierId, request.DelegateId, me, self ? "self" : "delegate");
        if (refusal is not null)
        {
            return new DossierAnswer(refusal.Code);
        }

        await AuditLog.WriteAsync(transaction, user.Actor(), null, congressId, self ? "dossier.self_nomination" : "dossier.nomination",
            request.DossierId.ToString(), new { delegateId = request.DelegateId });
        await FinishAsync(connection, transaction, congressId, request.DossierId);
        return new DossierAnswer(null);
    }

    private static async Task<Refusal?> InsertNominationAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid dossierId, Guid delegateId, Guid? nominatedBy, string source)
    {
        // The dossier row is locked: a nomination cannot slip in while another console closes nominations.
        var dossier = await RowAsync(connection, transaction, congressId, dossierId, forUpdate: true);
        if (dossier is null)
        {
            return s_unknown;
        }

        if (dossier.Step != "nominations")
        {
            return RefuseConflict("nominations_closed", "Nominations are not open for this election.");
        }

        if (!await NomineeExistsAsync(connection, transaction, congressId, delegateId))
        {
            return RefuseBad("unknown_nominee", "Only a delegate of this congress can be nominated.");
        }

        if (await AlreadyNominatedAsync(connection, transaction, dossierId, delegateId))
        {
            return RefuseConflict("already_nominated", "This delegate is already nominated.");
        }

        // Standing oneself, or a paper nomination that carries consent, is on the list at once; a delegate nominated by
        // another answers on their own tablet.
        await connection.ExecuteAsync("""
            INSERT INTO nomination (id, dossier_id, delegate_id, source, nominated_by, state)
            VALUES (@id, @dossierId, @delegateId, @source, @nominatedBy, @state)
            """, new { id = Guid.NewGuid(), dossierId, delegateId, source, nominatedBy, state = source == "delegate" ? "proposed" : "accepted" }, transaction);
        return null;
    }

    /// <summary>The nominee accepts or declines, on their own tablet, while nominations are open.</summary>
    public async Task<DossierAnswer> AnswerAsync(ClaimsPrincipal user, NominationAnswerRequest answer)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid? dossierId = await connection.ExecuteScalarAsync<Guid?>(
            "SELECT dossier_id FROM nomination WHERE id = @NominationId AND delegate_id = @me", new { answer.NominationId, me = user.SubjectId() }, transaction);
        if (dossierId is not { } id || await RowAsync(connection, transaction, congressId, id, forUpdate: true) is not { } dossier)
        {
            return new DossierAnswer("unknown_nomination");
        }

        if (dossier.Step != "nominations")
        {
            return new DossierAnswer("nominations_closed");
        }

        int changed = await connection.ExecuteAsync(
            "UPDATE nomination SET state = @state WHERE id = @NominationId AND state = 'proposed'",
            new { answer.NominationId, state = answer.Accept ? "accepted" : "declined" }, transaction);
        if (changed == 0)
        {
            return new DossierAnswer("nomination_answered");
        }

        await AuditLog.WriteAsync(transaction, user.Actor(), null, congressId, answer.Accept ? "dossier.nomination_accepted" : "dossier.nomination_declined",
            id.ToString(), new { answer.NominationId });
        await FinishAsync(connection, transaction, congressId, id);
        return new DossierAnswer(null);
    }

    /// <summary>
    /// A nominee on the list asks to withdraw, with a reason. The request becomes a motion of the congress (a draft the
    /// secretariat opens); until its result is recorded the nominee stays on the list.
    /// </summary>
    public async Task<DossierAnswer> AskToWithdrawAsync(ClaimsPrincipal user, WithdrawalRequest request)
    {
        string reason = (request.Reason ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (reason.Length is 0 or > 500 || reason.Any(c => char.IsControl(c) && c != '\n'))
        {
            return new DossierAnswer("withdrawal_needs_reason");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (await RowAsync(connection, transaction, congressId, request.DossierId, forUpdate: true) is not { } dossier)
        {
            return new DossierAnswer("unknown_dossier");
        }

        if (dossier.Step is not ("nominations" or "withdrawals"))
        {
            return new DossierAnswer("withdrawals_closed");
        }

        var mine = await connection.QuerySingleOrDefaultAsync<(Guid Id, string State, bool WithdrawalRefused, string FullName)?>("""
            SELECT n.id, n.state, n.withdrawal_refused, d.full_name FROM nomination n JOIN delegate d ON d.id = n.delegate_id
            WHERE n.dossier_id = @DossierId AND n.delegate_id = @me AND n.state <> 'declined'
            """, new { request.DossierId, me = user.SubjectId() }, transaction);
        if (mine is not { State: "accepted" or "withdrawal_asked" } nomination)
        {
            return new DossierAnswer("not_on_list");
        }

        if (nomination.State == "withdrawal_asked" || nomination.WithdrawalRefused)
        {
            return new DossierAnswer("withdrawal_already_asked");
        }

        var preset = CongressPreset.ByKey(dossier.Preset);
        Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, dossier.AgendaItemId,
            DossierWording.WithdrawalTitle(nomination.FullName), DossierWording.WithdrawalQuestion(nomination.FullName, dossier.Title, reason),
            secret: false, allowAbstain: true, preset.Decision);
        await connection.ExecuteAsync("""
            UPDATE nomination SET state = 'withdrawal_asked', withdrawal_reason = @reason, withdrawal_poll_id = @pollId
            WHERE id = @Id AND state = 'accepted'
            """, new { reason, pollId, nomination.Id }, transaction);
        await AuditLog.WriteAsync(transaction, user.Actor(), null, congressId, "dossier.withdrawal_asked", request.DossierId.ToString(),
            new { nomination = nomination.Id, reason, poll = pollId });
        await FinishAsync(connection, transaction, congressId, request.DossierId, agendaChanged: true);
        return new DossierAnswer(null);
    }

    /// <summary>Records the congress's vote on a withdrawal: accepted leaves the list, refused keeps the nominee on it.</summary>
    public async Task<(DossierDto?, Refusal?)> RecordWithdrawalAsync(Guid dossierId, Guid nominationId, ClaimsPrincipal user, HttpContext? http)
    {
        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, _) =>
        {
            var vote = await connection.QuerySingleOrDefaultAsync<(string PollState, string? Verdict)?>("""
                SELECT p.state, p.verdict FROM nomination n JOIN poll p ON p.id = n.withdrawal_poll_id
                WHERE n.id = @nominationId AND n.dossier_id = @dossierId AND n.state = 'withdrawal_asked'
                """, new { nominationId, dossierId }, transaction);
            if (vote is not { } v)
            {
                return (null, RefuseConflict("no_withdrawal_asked", "This nominee has no withdrawal request waiting for the congress's vote."));
            }

            if (v.PollState is not ("closed" or "published"))
            {
                return (null, RefuseConflict("step_vote_not_closed", "The vote on this withdrawal has not closed yet."));
            }

            bool accepted = v.Verdict == nameof(Verdict.Passed);
            await connection.ExecuteAsync(accepted
                ? "UPDATE nomination SET state = 'withdrawn' WHERE id = @nominationId AND state = 'withdrawal_asked'"
                : "UPDATE nomination SET state = 'accepted', withdrawal_refused = true WHERE id = @nominationId AND state = 'withdrawal_asked'",
                new { nominationId }, transaction);
            await AuditLog.WriteAsync(transaction, user, http, congressId, accepted ? "dossier.withdrawal_accepted" : "dossier.withdrawal_refused",
                dossierId.ToString(), new { nomination = nominationId, verdict = v.Verdict });
            return await FinishAsync(connection, transaction, congressId, dossierId);
        });
    }

    /// <summary>Delegates a tablet can nominate: found without diacritics ("nguyen van an" finds "Nguyễn Văn An").</summary>
    public async Task<List<NomineeDto>> SearchAsync(Guid congressId, string? query)
    {
        string text = (query ?? "").Trim();
        if (text.Length is < 2 or > 100)
        {
            return [];
        }

        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<NomineeDto>("""
            SELECT d.id, d.full_name, d.code, coalesce(g.name, '') AS delegation
            FROM delegate d LEFT JOIN delegation g ON g.id = d.delegation_id
            WHERE d.congress_id = @congressId AND d.kind <> 'guest'
              AND fold_text(d.full_name || ' ' || d.code) LIKE '%' || replace(replace(replace(fold_text(@text), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            ORDER BY d.full_name LIMIT 20
            """, new { congressId, text });
        return rows.ToList();
    }
}
