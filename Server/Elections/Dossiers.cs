using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Polls;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Elections;

/// <summary>
/// The election dossier (docs/architecture.md §9): the steps a congress votes through around a secret ballot. Every vote
/// is an ordinary open motion made for its step; the dossier moves on only from the step it is in, under a row
/// lock and a conditional update, so two consoles cannot both move it. The secretariat's endpoints
/// (<see cref="DossiersApi"/>) and the tablets' hub methods both come here. This file holds reading, creating and
/// the steps (the motion, moving on, the committee, a second round); the nominations and withdrawals are in
/// DossierNominations.cs. It stays long because moving on is one decision per step, best read in one place.
/// </summary>
public sealed partial class Dossiers(NpgsqlDataSource db, CongressNotifier notifier)
{
    private static readonly DossierStep[] s_order = Enum.GetValues<DossierStep>();

    public static string StepKey(DossierStep step) => step.ToString().ToLowerInvariant();

    private static DossierStep ParseStep(string key) => Enum.Parse<DossierStep>(key, ignoreCase: true);

    private static NominationState ParseState(string key) => key switch
    {
        "withdrawal_asked" => NominationState.WithdrawalAsked,
        _ => Enum.Parse<NominationState>(key, ignoreCase: true),
    };

    private static Refusal RefuseConflict(string code, string detail) => new(StatusCodes.Status409Conflict, code, detail);

    private static Refusal RefuseBad(string code, string detail) => new(StatusCodes.Status400BadRequest, code, detail);

    private static readonly Refusal s_unknown = new(StatusCodes.Status404NotFound, "unknown_dossier", "There is no such election dossier in this congress.");

    /// <summary>Properties rather than a positional record: Dapper reports array columns as System.Array to constructors.</summary>
    private sealed class DossierRow
    {
        public Guid Id { get; init; }

        public Guid CongressId { get; init; }

        public Guid AgendaItemId { get; init; }

        public string Title { get; init; } = "";

        public int Seats { get; init; }

        public string Step { get; init; } = "";

        public Guid? StepPollId { get; init; }

        public Guid ElectionPollId { get; init; }

        public int Round { get; init; }

        public string ListOrder { get; init; } = "";

        public string[] Committee { get; init; } = [];

        public string Preset { get; init; } = "";
    }

    private sealed record NominationRow(
        Guid Id, Guid DelegateId, string FullName, string Code, string Source, int? PresidiumPosition, string State, string? NominatedBy,
        string? WithdrawalReason, Guid? WithdrawalPollId, bool WithdrawalRefused, DateTime CreatedAt, int? BirthYear, string? Position, string? Delegation);

    private static async Task<DossierRow?> RowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid dossierId, bool forUpdate)
    {
        // The lock is the dossier row's alone: the congress row is only read.
        return await connection.QuerySingleOrDefaultAsync<DossierRow>($"""
            SELECT d.id, d.congress_id, d.agenda_item_id, d.title, d.seats, d.step, d.step_poll_id, d.election_poll_id, d.round,
                   d.list_order, d.committee, (SELECT c.preset FROM congress c WHERE c.id = d.congress_id) AS preset
            FROM election_dossier d WHERE d.id = @dossierId AND d.congress_id = @congressId
            {(forUpdate ? "FOR UPDATE" : "")}
            """, new { dossierId, congressId }, transaction);
    }

    private static async Task<List<NominationRow>> NominationsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DossierRow dossier)
    {
        var rows = (await connection.QueryAsync<NominationRow>("""
            SELECT n.id, n.delegate_id, d.full_name, d.code, n.source, n.presidium_position, n.state, b.full_name AS nominated_by,
                   n.withdrawal_reason, n.withdrawal_poll_id, n.withdrawal_refused, n.created_at, d.birth_year, d.position, g.name AS delegation
            FROM nomination n
            JOIN delegate d ON d.id = n.delegate_id
            LEFT JOIN delegate b ON b.id = n.nominated_by
            LEFT JOIN delegation g ON g.id = d.delegation_id
            WHERE n.dossier_id = @Id
            """, new { dossier.Id }, transaction)).ToList();
        return ListOrder(rows, dossier.ListOrder == "alphabetical");
    }

    /// <summary>
    /// The order the ballot will have: Vietnamese alphabetical order by given name then family name (the Party's lists), or
    /// the presidium's list in its order followed by the nominations as they came.
    /// </summary>
    private static List<NominationRow> ListOrder(List<NominationRow> rows, bool alphabetical) => alphabetical
        ? rows.OrderBy(r => r.FullName, VietnameseOrder.Names).ThenBy(r => r.Code, StringComparer.Ordinal).ToList()
        : rows.OrderBy(r => r.PresidiumPosition ?? int.MaxValue).ThenBy(r => r.CreatedAt).ThenBy(r => r.Code, StringComparer.Ordinal).ToList();

    private static async Task<DossierDto> DtoAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DossierRow dossier)
    {
        var nominations = await NominationsAsync(connection, transaction, dossier);
        var recorded = await connection.QueryAsync<(int Round, string Step, Guid? PollId, string? Verdict, bool Skipped)>(
            "SELECT round, step, poll_id, verdict, skipped FROM election_dossier_step WHERE dossier_id = @Id ORDER BY recorded_at, round",
            new { dossier.Id }, transaction);
        return new DossierDto(
            dossier.Id, dossier.AgendaItemId, dossier.Title, dossier.Seats, ParseStep(dossier.Step), dossier.Round, dossier.StepPollId, dossier.ElectionPollId,
            dossier.ListOrder == "alphabetical", dossier.Committee,
            nominations.Select(n => new NominationDto(n.Id, n.DelegateId, n.FullName, n.Code, Enum.Parse<NominationSource>(n.Source, ignoreCase: true),
                ParseState(n.State), n.NominatedBy, n.WithdrawalReason, n.WithdrawalPollId, n.WithdrawalRefused)).ToList(),
            recorded.Select(r => new DossierStepDto(r.Round, ParseStep(r.Step), r.PollId, r.Verdict is null ? null : Enum.Parse<Verdict>(r.Verdict), r.Skipped)).ToList(),
            Skippable: dossier.Preset == CongressPreset.SimpleAssembly.Key);
    }

    public async Task<DossierDto?> FindAsync(Guid congressId, Guid dossierId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var row = await RowAsync(connection, transaction, congressId, dossierId, forUpdate: false);
        return row is null ? null : await DtoAsync(connection, transaction, row);
    }

    public async Task<List<DossierDto>> ListAsync(Guid congressId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = await connection.QueryAsync<Guid>(
            "SELECT id FROM election_dossier WHERE congress_id = @congressId ORDER BY created_at", new { congressId }, transaction);
        var list = new List<DossierDto>();
        foreach (Guid id in ids)
        {
            list.Add(await DtoAsync(connection, transaction, (await RowAsync(connection, transaction, congressId, id, forUpdate: false))!));
        }

        return list;
    }

    /// <summary>What a tablet shows: the newest dossier not yet finished, or none.</summary>
    public async Task<DossierDto?> CurrentAsync(Guid congressId)
    {
        await using var connection = await db.OpenConnectionAsync();
        Guid? id = await connection.ExecuteScalarAsync<Guid?>(
            "SELECT id FROM election_dossier WHERE congress_id = @congressId AND step <> 'result' ORDER BY created_at DESC LIMIT 1", new { congressId });
        return id is { } found ? await FindAsync(congressId, found) : null;
    }

    /// <summary>
    /// A dossier with its secret ballot as a draft election from the start: the ballot exists, with no candidates, and
    /// opening it is refused until the list and the committee are approved (<see cref="BallotRefusalAsync"/>).
    /// </summary>
    public async Task<(DossierDto? Dossier, Refusal? Refusal)> CreateAsync(DossierCreateDto create, ClaimsPrincipal user, HttpContext? http)
    {
        string title = (create.Title ?? "").Trim();
        if (title.Length is 0 or > 300 || title.Any(char.IsControl))
        {
            return (null, RefuseBad("bad_title", "A title is 1 to 300 characters of plain text."));
        }

        if (create.Seats is < 1 or > CandidateFile.MaxCandidates)
        {
            return (null, RefuseBad("bad_seats", "An election has 1 to 500 seats."));
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var preset = await PollStore.PresetOfItemAsync(connection, transaction, congressId, create.AgendaItemId);
        if (preset is null)
        {
            return (null, new Refusal(StatusCodes.Status404NotFound, "unknown_agenda_item", "There is no such agenda item in this congress."));
        }

        Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, create.AgendaItemId, title, "", secret: true, allowAbstain: false, preset.Election);
        await connection.ExecuteAsync("UPDATE poll SET kind = 'election', seats = @Seats WHERE id = @pollId", new { create.Seats, pollId }, transaction);
        var id = Guid.NewGuid();
        await connection.ExecuteAsync("""
            INSERT INTO election_dossier (id, congress_id, agenda_item_id, title, seats, election_poll_id, list_order)
            VALUES (@id, @congressId, @AgendaItemId, @title, @Seats, @pollId, @listOrder)
            """, new { id, congressId, create.AgendaItemId, title, create.Seats, pollId, listOrder = preset.Key == CongressPreset.Party.Key ? "alphabetical" : "presidium" },
            transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.create", id.ToString(), new { title, create.Seats, election = pollId });
        return await FinishAsync(connection, transaction, congressId, id, agendaChanged: true);
    }

    /// <summary>
    /// A staff change to one dossier, in one transaction with its row locked, so two consoles change it one after
    /// the other; a dossier this congress does not have is refused. The change ends with <see cref="FinishAsync"/>
    /// or a refusal.
    /// </summary>
    private async Task<(DossierDto?, Refusal?)> ChangeAsync(
        Guid congressId, Guid dossierId, Func<NpgsqlConnection, NpgsqlTransaction, DossierRow, Task<(DossierDto?, Refusal?)>> change)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return await RowAsync(connection, transaction, congressId, dossierId, forUpdate: true) is { } dossier
            ? await change(connection, transaction, dossier)
            : (null, s_unknown);
    }

    /// <summary>Commits, then tells every screen and tablet; the answer is the dossier as stored.</summary>
    private async Task<(DossierDto?, Refusal?)> FinishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid dossierId, bool agendaChanged = false)
    {
        var dto = await DtoAsync(connection, transaction, (await RowAsync(connection, transaction, congressId, dossierId, forUpdate: false))!);
        await transaction.CommitAsync();
        await notifier.DossierChangedAsync(congressId, dto);
        if (agendaChanged)
        {
            await notifier.AgendaChangedAsync(congressId);
        }

        return (dto, null);
    }

    /// <summary>The counting committee proposed for the congress's approval, head first; none of them may be on the list.</summary>
    public async Task<(DossierDto?, Refusal?)> SetCommitteeAsync(Guid dossierId, CommitteeDto committee, ClaimsPrincipal user, HttpContext? http)
    {
        var names = (committee.Names ?? []).Select(n => (n ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim()).Where(n => n.Length > 0).ToList();
        if (names.Count is 0 or > 30 || names.Any(n => n.Length > 200 || n.Any(char.IsControl)))
        {
            return (null, RefuseBad("bad_committee", "A counting committee has 1 to 30 members, one name each."));
        }

        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, dossier) =>
        {
            if (ParseStep(dossier.Step) > DossierStep.Committee || (dossier.Step == "committee" && await StepMotionStandsAsync(connection, transaction, dossier)))
            {
                return (null, RefuseConflict("committee_fixed", "The counting committee is already before the congress or approved."));
            }

            if (await CandidateOnCommitteeAsync(connection, transaction, dossier, names) is { } refusal)
            {
                return (null, refusal);
            }

            await connection.ExecuteAsync("UPDATE election_dossier SET committee = @names WHERE id = @dossierId", new { names = names.ToArray(), dossierId }, transaction);
            await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.committee", dossierId.ToString(), new { names });
            return await FinishAsync(connection, transaction, congressId, dossierId);
        });
    }

    /// <summary>
    /// A member of the counting committee may not be a candidate: names are compared without case or diacritics, so
    /// "Nguyen Van An" typed on a keyboard without Vietnamese input is still caught. The refusal names the member.
    /// </summary>
    private static async Task<Refusal?> CandidateOnCommitteeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DossierRow dossier, IReadOnlyList<string> names)
    {
        string? clash = await connection.ExecuteScalarAsync<string?>("""
            SELECT m.name FROM unnest(@names::text[]) AS m(name)
            WHERE EXISTS (SELECT 1 FROM nomination n JOIN delegate d ON d.id = n.delegate_id
                          WHERE n.dossier_id = @Id AND n.state IN ('accepted', 'withdrawal_asked', 'proposed')
                            AND fold_text(d.full_name) = fold_text(m.name))
            LIMIT 1
            """, new { names = names.ToArray(), dossier.Id }, transaction);
        return clash is null ? null : new Refusal(StatusCodes.Status409Conflict, "committee_member_candidate",
            $"{clash} is on the list of candidates and cannot be a member of the counting committee.") { Args = [clash] };
    }

    /// <summary>A motion made for the step stands, unless it was cancelled or the congress voted it down (then the step changes and votes again).</summary>
    private static async Task<bool> StepMotionStandsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DossierRow dossier) =>
        dossier.StepPollId is { } existing && await connection.ExecuteScalarAsync<bool>(
            "SELECT state <> 'cancelled' AND verdict IS DISTINCT FROM 'Failed' FROM poll WHERE id = @existing", new { existing }, transaction);

    /// <summary>The motion of the current voting step, worded for it, under the preset's rule for decisions.</summary>
    public async Task<(DossierDto?, Refusal?)> StepMotionAsync(Guid dossierId, DossierMotionDto motion, ClaimsPrincipal user, HttpContext? http)
    {
        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, dossier) =>
        {
            var step = ParseStep(dossier.Step);
            if (step is not (DossierStep.Seats or DossierStep.List or DossierStep.Committee))
            {
                return (null, RefuseConflict("step_has_no_vote", "This step is not decided by a vote."));
            }

            if (await StepMotionStandsAsync(connection, transaction, dossier))
            {
                return (null, RefuseConflict("step_motion_exists", "This step already has its motion."));
            }

            int seats = dossier.Seats;
            if (motion.Seats is { } newSeats)
            {
                if (step != DossierStep.Seats)
                {
                    return (null, RefuseConflict("seats_fixed", "The number to elect is approved already."));
                }

                if (newSeats is < 1 or > CandidateFile.MaxCandidates)
                {
                    return (null, RefuseBad("bad_seats", "An election has 1 to 500 seats."));
                }

                seats = newSeats;
                await connection.ExecuteAsync("UPDATE election_dossier SET seats = @seats WHERE id = @dossierId", new { seats, dossierId }, transaction);
                await connection.ExecuteAsync("UPDATE poll SET seats = @seats WHERE id = @ElectionPollId AND state = 'draft'", new { seats, dossier.ElectionPollId }, transaction);
            }

            var nominees = (await NominationsAsync(connection, transaction, dossier)).Where(n => n.State == "accepted").Select(n => n.FullName).ToList();
            if (step == DossierStep.List && nominees.Count < seats)
            {
                return (null, RefuseConflict("list_too_short", $"The list has {nominees.Count} names for {seats} seats."));
            }

            if (step == DossierStep.Committee)
            {
                if (dossier.Committee.Length == 0)
                {
                    return (null, RefuseConflict("committee_missing", "Enter the counting committee first."));
                }

                if (await CandidateOnCommitteeAsync(connection, transaction, dossier, dossier.Committee) is { } clash)
                {
                    return (null, clash);
                }
            }

            var (title, question) = step switch
            {
                DossierStep.Seats => (DossierWording.SeatsTitle(dossier.Title, seats), DossierWording.SeatsQuestion(dossier.Title, seats)),
                DossierStep.List => (DossierWording.ListTitle(dossier.Title), DossierWording.ListQuestion(dossier.Title, nominees)),
                _ => (DossierWording.CommitteeTitle(), DossierWording.CommitteeQuestion(dossier.Title, dossier.Committee)),
            };
            Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, dossier.AgendaItemId, title, question,
                secret: false, allowAbstain: true, CongressPreset.ByKey(dossier.Preset).Decision);
            await connection.ExecuteAsync("UPDATE election_dossier SET step_poll_id = @pollId WHERE id = @dossierId AND step = @Step",
                new { pollId, dossierId, dossier.Step }, transaction);
            await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.motion", dossierId.ToString(), new { step = dossier.Step, poll = pollId, seats });
            return await FinishAsync(connection, transaction, congressId, dossierId, agendaChanged: true);
        });
    }

    /// <summary>
    /// Moves the dossier on from <paramref name="request"/>'s step, once that step is done: its motion passed (or, in a
    /// simple assembly, it was skipped), no nomination waits for an answer, no withdrawal for its vote. The list is
    /// frozen into the ballot when its approval is recorded; the committee is written to the congress when its own is.
    /// </summary>
    public async Task<(DossierDto?, Refusal?)> AdvanceAsync(Guid dossierId, DossierAdvanceDto request, ClaimsPrincipal user, HttpContext? http)
    {
        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, dossier) =>
        {
            var step = ParseStep(dossier.Step);
            if (step != request.From)
            {
                return (null, RefuseConflict("dossier_step_moved", "The dossier has moved on already: reload it."));
            }

            if (step == DossierStep.Result)
            {
                return (null, RefuseConflict("dossier_finished", "This election is finished."));
            }

            bool isVote = step is DossierStep.Seats or DossierStep.List or DossierStep.Committee;
            if (request.Skip && (!isVote || dossier.Preset != CongressPreset.SimpleAssembly.Key))
            {
                return (null, RefuseConflict("step_not_skippable", "Only a simple assembly may skip a step's vote."));
            }

            string? verdict = null;
            if (isVote && !request.Skip)
            {
                var vote = dossier.StepPollId is { } stepPoll
                    ? await connection.QuerySingleOrDefaultAsync<(string State, string? Verdict)?>("SELECT state, verdict FROM poll WHERE id = @stepPoll", new { stepPoll }, transaction)
                    : null;
                if (vote is not { } v || v.State == "cancelled")
                {
                    return (null, RefuseConflict("step_needs_vote", "This step is decided by the congress's vote: make its motion first."));
                }

                if (v.State is not ("closed" or "published"))
                {
                    return (null, RefuseConflict("step_vote_not_closed", "The vote of this step has not closed yet."));
                }

                if (v.Verdict != nameof(Verdict.Passed))
                {
                    return (null, RefuseConflict("step_vote_failed", "The congress did not approve this step: change it and vote again."));
                }

                verdict = v.Verdict;
            }

            var nominations = await NominationsAsync(connection, transaction, dossier);
            if (step == DossierStep.Nominations && nominations.Any(n => n.State == "proposed"))
            {
                return (null, RefuseConflict("nominations_pending", "A nominee has not answered yet."));
            }

            if (step == DossierStep.Withdrawals && nominations.Any(n => n.State == "withdrawal_asked"))
            {
                return (null, RefuseConflict("withdrawals_pending", "A withdrawal request waits for the congress's vote."));
            }

            var listed = nominations.Where(n => n.State == "accepted").ToList();
            if (step == DossierStep.List)
            {
                if (listed.Count < dossier.Seats)
                {
                    return (null, RefuseConflict("list_too_short", $"The list has {listed.Count} names for {dossier.Seats} seats."));
                }

                // The approved list becomes the ballot, in the list's order.
                await connection.ExecuteAsync("DELETE FROM candidate WHERE poll_id = @ElectionPollId", new { dossier.ElectionPollId }, transaction);
                await connection.ExecuteAsync("""
                    INSERT INTO candidate (poll_id, position, full_name, birth_year, job_title, unit)
                    SELECT @ElectionPollId, t.position, t.full_name, t.birth_year, t.job_title, t.unit
                    FROM unnest(@positions, @names, @years, @titles, @units) AS t(position, full_name, birth_year, job_title, unit)
                    """, new
                {
                    dossier.ElectionPollId,
                    positions = Enumerable.Range(1, listed.Count).Select(i => (short)i).ToArray(),
                    names = listed.Select(n => n.FullName).ToArray(),
                    years = listed.Select(n => n.BirthYear).ToArray(),
                    titles = listed.Select(n => n.Position).ToArray(),
                    units = listed.Select(n => n.Delegation).ToArray(),
                }, transaction);
            }

            if (step == DossierStep.Committee && dossier.Committee.Length > 0)
            {
                if (await CandidateOnCommitteeAsync(connection, transaction, dossier, dossier.Committee) is { } clash)
                {
                    return (null, clash);
                }

                // The approved committee is the one the counting minutes name, head first.
                await connection.ExecuteAsync("UPDATE congress SET counting_committee = @text WHERE id = @congressId",
                    new { text = string.Join('\n', dossier.Committee), congressId }, transaction);
            }

            if (step == DossierStep.Ballot)
            {
                string? state = await connection.ExecuteScalarAsync<string?>("SELECT state FROM poll WHERE id = @ElectionPollId", new { dossier.ElectionPollId }, transaction);
                if (state is not ("closed" or "published"))
                {
                    return (null, RefuseConflict("ballot_not_closed", "The secret ballot has not closed yet."));
                }

                verdict = await connection.ExecuteScalarAsync<string?>("SELECT verdict FROM poll WHERE id = @ElectionPollId", new { dossier.ElectionPollId }, transaction);
            }

            var next = s_order[Array.IndexOf(s_order, step) + 1];
            int moved = await connection.ExecuteAsync(
                "UPDATE election_dossier SET step = @next, step_poll_id = NULL WHERE id = @dossierId AND step = @from",
                new { next = StepKey(next), dossierId, from = dossier.Step }, transaction);
            if (moved == 0)
            {
                return (null, RefuseConflict("dossier_step_moved", "The dossier has moved on already: reload it."));
            }

            await connection.ExecuteAsync("""
                INSERT INTO election_dossier_step (dossier_id, round, step, poll_id, verdict, skipped, recorded_by)
                VALUES (@dossierId, @Round, @step, @poll, @verdict, @Skip, @actor)
                ON CONFLICT (dossier_id, round, step) DO NOTHING
                """, new
            {
                dossierId, dossier.Round, step = dossier.Step, verdict, request.Skip, actor = user.Actor(),
                poll = step == DossierStep.Ballot ? dossier.ElectionPollId : isVote ? dossier.StepPollId : null,
            }, transaction);
            await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.advance", dossierId.ToString(),
                new { from = dossier.Step, to = StepKey(next), verdict, request.Skip });
            return await FinishAsync(connection, transaction, congressId, dossierId, agendaChanged: step == DossierStep.List);
        });
    }

    /// <summary>
    /// A second round for the seats left: a new ballot with the candidates the count left in play (the tied ones for a
    /// tie, the not elected for unfilled seats), under the same list order and committee; the dossier returns to the ballot.
    /// </summary>
    public async Task<(DossierDto?, Refusal?)> SecondRoundAsync(Guid dossierId, ClaimsPrincipal user, HttpContext? http)
    {
        Guid congressId = user.CongressId();
        return await ChangeAsync(congressId, dossierId, async (connection, transaction, dossier) =>
        {
            var source = dossier.Step == "result" ? await PollQueries.FindAsync(connection, dossier.ElectionPollId, transaction) : null;
            if (source?.ToDto().Election is not { Verdict: Verdict.Tie or Verdict.Shortfall } result)
            {
                return (null, RefuseConflict("no_runoff_needed", "A second round follows a counted ballot with a tie for the last seat or seats left."));
            }

            var outcome = result.Verdict == Verdict.Tie ? CandidateOutcome.Tied : CandidateOutcome.NotElected;
            var positions = result.Ranked.Where(r => r.Outcome == outcome).Select(r => r.Position).ToHashSet();
            var candidates = source.Candidates.Where(c => positions.Contains(c.Position)).OrderBy(c => c.Position).ToList();
            int seatsLeft = ElectionCount.SeatsLeft(result);
            if (candidates.Count < seatsLeft)
            {
                return (null, RefuseConflict("runoff_not_enough_candidates", $"{seatsLeft} seats are left and only {candidates.Count} candidates remain."));
            }

            int round = dossier.Round + 1;
            Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, dossier.AgendaItemId,
                DossierWording.RoundTitle(dossier.Title, round), "", secret: true, allowAbstain: false, source.Rule);
            await connection.ExecuteAsync("""
                UPDATE poll SET kind = 'election', seats = @seatsLeft, empty_ballot_valid = @EmptyBallotValid, countdown_seconds = @CountdownSeconds, runoff_of = @from
                WHERE id = @pollId
                """, new { seatsLeft, source.EmptyBallotValid, source.CountdownSeconds, from = source.Id, pollId }, transaction);
            await connection.ExecuteAsync("""
                INSERT INTO candidate (poll_id, position, full_name, birth_year, job_title, unit)
                SELECT @pollId, row_number() OVER (ORDER BY position), full_name, birth_year, job_title, unit
                FROM candidate WHERE poll_id = @from AND position = ANY(@positions)
                """, new { pollId, from = source.Id, positions = positions.Select(p => (short)p).ToArray() }, transaction);
            int moved = await connection.ExecuteAsync(
                "UPDATE election_dossier SET step = 'ballot', round = @round, election_poll_id = @pollId WHERE id = @dossierId AND step = 'result'",
                new { round, pollId, dossierId }, transaction);
            if (moved == 0)
            {
                return (null, RefuseConflict("dossier_step_moved", "The dossier has moved on already: reload it."));
            }

            await AuditLog.WriteAsync(transaction, user, http, congressId, "dossier.second_round", dossierId.ToString(), new { round, poll = pollId, seats = seatsLeft });
            return await FinishAsync(connection, transaction, congressId, dossierId, agendaChanged: true);
        });
    }

    /// <summary>
    /// Why a dossier's ballot may not open yet, or null: it opens only in the ballot step, after the list and the counting
    /// committee were approved. Elections outside a dossier are not concerned.
    /// </summary>
    public static async Task<Refusal?> BallotRefusalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string? step = await connection.ExecuteScalarAsync<string?>(
            "SELECT step FROM election_dossier WHERE election_poll_id = @pollId", new { pollId }, transaction);
        return step switch
        {
            null or "ballot" or "result" => null,
            "committee" => RefuseConflict("ballot_committee_not_approved", "The counting committee has not been approved yet: the ballot cannot open."),
            _ => RefuseConflict("ballot_list_not_approved", "The list of candidates has not been approved yet: the ballot cannot open."),
        };
    }

    /// <summary>Whether this election's candidates come from a dossier (and so are set only by approving its list).</summary>
    public static Task<bool> IsDossierBallotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId) =>
        connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM election_dossier WHERE election_poll_id = @pollId)", new { pollId }, transaction);
}
