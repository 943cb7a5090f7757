using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// Biên bản kiểm phiếu: the counting minutes of one election, every figure as stored at its close or last recount
/// (<see cref="Elections.ElectionCounting"/>): the committee, the seats, the candidates in ballot order, summoned,
/// present, ballots issued, returned, valid and invalid, votes per candidate, the elected in order of votes, ties
/// and seats left, and when it closed.
/// </summary>
public static class CountingMinutesDocument
{
    /// <summary>
    /// What the minutes are made from; <see cref="HeadKnown"/> when the committee was entered with its head first;
    /// the invalid paper ballots by the reason the committee entered (one of <see cref="InvalidReasons.Codes"/>).
    /// </summary>
    public sealed record Source(
        PollQueries.PollRow Poll, int AgendaPosition, int ElectronicBallots, IReadOnlyList<string> Committee, bool HeadKnown, int Recounts, DateTime? LastRecountAt,
        IReadOnlyList<InvalidCount> InvalidReasons)
    {
        /// <summary>When the result was announced (published to the hall), if it was.</summary>
        public DateTime? PublishedAt { get; init; }

        /// <summary>For a runoff, the title of the election whose tie or unfilled seats it decides.</summary>
        public string? RunoffOf { get; init; }
    }

    public sealed record InvalidCount(string Reason, int Count);

    private sealed record Extra(int Position, int Electronic, int Recounts, DateTime? LastRecountAt, DateTime? PublishedAt, string? RunoffOf);

    /// <summary>The stored result of a counted election of this congress; null for anything else.</summary>
    public static async Task<Source?> LoadAsync(NpgsqlConnection connection, Guid congressId, Guid pollId, IReadOnlyList<string> approvedCommittee)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var poll = await PollQueries.FindAsync(connection, pollId);
        if (poll is null || poll.CongressId != congressId || !poll.IsElection || poll.Passed is null || poll.Rehearsal)
        {
            return null;
        }

        var extra = await connection.QuerySingleAsync<Extra>("""
            SELECT (SELECT position FROM agenda_item WHERE id = @AgendaItemId) AS position,
                   (SELECT coalesce(sum(weight), 0)::int FROM ballot WHERE poll_id = @Id) AS electronic,
                   (SELECT count(*)::int FROM poll_recount WHERE poll_id = @Id) AS recounts,
                   (SELECT max(at) FROM poll_recount WHERE poll_id = @Id) AS last_recount_at,
                   (SELECT published_at FROM poll WHERE id = @Id) AS published_at,
                   (SELECT o.title FROM poll p JOIN poll o ON o.id = p.runoff_of WHERE p.id = @Id) AS runoff_of
            """, new { poll.AgendaItemId, poll.Id });
        // Invalid ballots by reason: each paper ballot both members entered alike, and the batches counted by hand.
        var reasons = (await connection.QueryAsync<InvalidCount>("""
            SELECT reason, sum(n)::int AS count FROM (
                SELECT a.invalid_reason AS reason, 1 AS n
                FROM paper_ballot_entry a
                JOIN paper_ballot_entry b ON b.poll_id = a.poll_id AND b.ballot_no = a.ballot_no AND b.entry = 2
                WHERE a.poll_id = @Id AND a.entry = 1 AND a.invalid AND b.invalid AND a.invalid_reason IS NOT NULL
                  AND a.invalid_reason IS NOT DISTINCT FROM b.invalid_reason
                UNION ALL
                SELECT r.key, r.value::int FROM paper_election_total t, jsonb_each_text(t.invalid_reasons) r WHERE t.poll_id = @Id
            ) x
            GROUP BY reason
            """, new { poll.Id })).ToList();
        // The committee the congress approved, as entered in Settings (head first); without it, the counting
        // accounts by the names the console gave them, with the head's name left to be written by hand.
        if (approvedCommittee is { Count: > 0 })
        {
            return new Source(poll, extra.Position, extra.Electronic, approvedCommittee, true, extra.Recounts, extra.LastRecountAt, reasons) { PublishedAt = extra.PublishedAt, RunoffOf = extra.RunoffOf };
        }

        var accounts = (await connection.QueryAsync<string>(
            "SELECT display_name FROM staff_account WHERE congress_id = @congressId AND role = 'counting' AND NOT disabled", new { congressId }))
            .Order(VietnameseOrder.Names).ToList();
        return new Source(poll, extra.Position, extra.Electronic, accounts, false, extra.Recounts, extra.LastRecountAt, reasons) { PublishedAt = extra.PublishedAt, RunoffOf = extra.RunoffOf };
    }

    /// <summary>
    /// The reasons in the order election rules list them, then the invalid ballots no reason was entered for (those
    /// counted before reasons were asked, or a batch whose reasons were not given): the rows add up to the stored count.
    /// </summary>
    public static IReadOnlyList<InvalidCount> InvalidRows(IReadOnlyList<InvalidCount> reasons, int invalid)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var rows = InvalidReasons.Codes
            .Select(code => new InvalidCount(code, reasons.Where(x => x.Reason == code).Sum(x => x.Count)))
            .Where(r => r.Count > 0).ToList();
        int unspecified = invalid - rows.Sum(r => r.Count);
        if (unspecified > 0)
        {
            rows.Add(new InvalidCount("", unspecified));
        }

        return rows;
    }

    public static string ReasonText(string reason, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return reason switch
        {
            "NotIssued" => t.T("Phiếu không do Ban Kiểm phiếu phát ra hoặc không có dấu", "Not issued by the counting committee or without its stamp"),
            "TooMany" => t.T("Phiếu bầu quá số lượng cần bầu", "More names kept than seats to fill"),
            "AllStruck" => t.T("Phiếu gạch tên tất cả", "Every name struck out"),
            "Marked" => t.T("Phiếu ghi thêm tên, viết thêm chữ hoặc có ký hiệu riêng", "A name added, other writing or an identifying mark"),
            "Other" => t.T("Lý do khác", "Another reason"),
            _ => t.T("Không ghi lý do", "No reason entered"),
        };
    }

    public static RecordDocument Build(Source source, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(t);
        var poll = source.Poll;
        var e = poll.ToDto().Election!;
        var closed = MotionMinutesDocument.Local(poll.ClosedAt);
        int paper = e.Returned - source.ElectronicBallots;
        var body = new List<Block>
        {
            new Paragraph(t.T(
                $"Tại {congressName}, theo mục {source.AgendaPosition} của Chương trình, Ban Kiểm phiếu đã tiến hành kiểm phiếu cuộc bầu cử \"{poll.Title}\". Kết quả như sau:",
                $"At {congressName}, under item {source.AgendaPosition} of the programme, the counting committee counted the ballots of the election \"{poll.Title}\":")),
        };
        if (source.RunoffOf is { } earlier)
        {
            body.Add(new Paragraph(t.T(
                $"Cuộc bầu cử này tiếp theo kết quả cuộc bầu cử \"{earlier}\", cho số ghế còn lại.",
                $"This election follows the result of the election \"{earlier}\", for the seats left."), Italic: true));
        }

        body.Add(new Section(t.T("I. BAN KIỂM PHIẾU", "I. THE COUNTING COMMITTEE")));
        body.AddRange(source.Committee.Count == 0
            ? [new Paragraph(t.T("(Chưa có thành viên Ban Kiểm phiếu trong hệ thống.)", "(No member of the counting committee is registered.)"), Italic: true)]
            : source.Committee.Select((name, i) => new Paragraph($"{i + 1}. {name}" + (!source.HeadKnown ? ""
                : i == 0 ? t.T(" – Trưởng ban", " – head") : t.T(" – Thành viên", " – member")))));
        body.Add(new Section(t.T("II. DANH SÁCH BẦU CỬ", "II. THE BALLOT")));
        body.Add(new Paragraph(t.T($"Số lượng cần bầu: {e.Seats}. Số người trong danh sách bầu cử: {poll.Candidates.Count}.",
            $"Seats to fill: {e.Seats}. Candidates on the ballot: {poll.Candidates.Count}.")));
        body.Add(new Table(
            [new(t.T("STT", "No."), 0.8, true), new(t.T("Họ và tên", "Full name"), 3.5), new(t.T("Năm sinh", "Born"), 1.2, true),
             new(t.T("Chức vụ, đơn vị", "Position, unit"), 4.5)],
            poll.Candidates.OrderBy(c => c.Position).Select(c => (IReadOnlyList<string>)[t.Number(c.Position), c.FullName,
                c.BirthYear?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", string.Join(", ", new[] { c.JobTitle, c.Unit }.Where(x => !string.IsNullOrEmpty(x)))]).ToList()));
        body.Add(new Section(t.T("III. KẾT QUẢ KIỂM PHIẾU", "III. THE COUNT")));
        body.Add(new Table(
            [new(t.T("Chỉ tiêu", "Figure"), 6), new(t.T("Số lượng", "Count"), 2, true), new(t.T("Tỷ lệ", "Share"), 2, true)],
            [
                [t.T("Số đại biểu được triệu tập", "Delegates summoned"), t.Number(e.Entitled), ""],
                [t.T("Số đại biểu có mặt khi bầu cử", "Delegates present at the vote"), t.Number(e.Present), t.Percent(e.Present, e.Entitled)],
                [t.T("Số phiếu phát ra", "Ballots issued"), t.Number(e.Issued), ""],
                [t.T("Số phiếu thu vào", "Ballots returned"), t.Number(e.Returned), t.Percent(e.Returned, e.Issued)],
                [t.T("– trong đó: phiếu điện tử", "– of which electronic"), t.Number(source.ElectronicBallots), ""],
                [t.T("– trong đó: phiếu giấy", "– of which paper"), t.Number(paper), ""],
                [t.T("Số phiếu hợp lệ", "Valid ballots"), t.Number(e.Valid), t.Percent(e.Valid, e.Returned)],
                [t.T("Số phiếu không hợp lệ", "Invalid ballots"), t.Number(e.Invalid), t.Percent(e.Invalid, e.Returned)],
            ]));
        if (e.Invalid > 0)
        {
            body.Add(new Paragraph(t.T("Phiếu không hợp lệ theo lý do Ban Kiểm phiếu ghi nhận:", "Invalid ballots by the reason the counting committee found:"), Bold: true));
            body.Add(new Table(
                [new(t.T("Lý do", "Reason"), 7), new(t.T("Số phiếu", "Ballots"), 1.5, true), new(t.T("Tỷ lệ", "Share"), 1.5, true)],
                InvalidRows(source.InvalidReasons, e.Invalid).Select(r => (IReadOnlyList<string>)[ReasonText(r.Reason, t), t.Number(r.Count), t.Percent(r.Count, e.Invalid)]).ToList(),
                [t.T("Cộng", "Total"), t.Number(e.Invalid), t.Percent(e.Invalid, e.Invalid)]));
        }

        bool ofSummoned = e.Base == RuleBase.Summoned;
        var columns = new List<Column>
        {
            new(t.T("STT", "No."), 0.8, true), new(t.T("Họ và tên", "Full name"), 4), new(t.T("Số phiếu", "Votes"), 1.5, true),
            new(t.T("% phiếu hợp lệ", "% of valid"), 1.7, true),
        };
        if (ofSummoned)
        {
            columns.Add(new(t.T("% triệu tập", "% of summoned"), 1.7, true));
        }

        body.Add(new Paragraph(t.T("Số phiếu bầu cho từng người, theo thứ tự trong danh sách bầu cử:", "Votes for each candidate, in ballot order:"), Bold: true));
        body.Add(new Table(columns, e.Ranked.OrderBy(c => c.Position).Select(c =>
        {
            var row = new List<string> { t.Number(c.Position), c.FullName, t.Number(c.Votes), t.Percent(c.Votes, e.Valid) };
            if (ofSummoned)
            {
                row.Add(t.Percent(c.Votes, e.Entitled));
            }

            return (IReadOnlyList<string>)row;
        }).ToList()));
        body.Add(new Paragraph(t.T(
            $"Nguyên tắc: người trúng cử phải có số phiếu {MotionMinutesDocument.RuleInWords(poll.Rule, t)}; lấy người nhiều phiếu hơn, không quá số lượng cần bầu.",
            $"Rule: a candidate is elected with votes {MotionMinutesDocument.RuleInWords(poll.Rule, t)}; the most votes win, up to the seats to fill."), Italic: true));
        body.Add(new Section(t.T("IV. NGƯỜI TRÚNG CỬ", "IV. THE ELECTED")));
        var elected = e.Ranked.Where(c => c.Outcome == CandidateOutcome.Elected).ToList();
        body.Add(new Paragraph(t.T(
            $"Căn cứ kết quả kiểm phiếu, các đồng chí sau đây trúng cử ({elected.Count}/{e.Seats}), theo thứ tự số phiếu từ cao xuống thấp:",
            $"By the count, these candidates are elected ({elected.Count} of {e.Seats}), in order of votes:")));
        body.AddRange(elected.Select((c, i) => new Paragraph($"{i + 1}. {c.FullName}: {t.T($"{t.Number(c.Votes)} phiếu", t.Count(c.Votes, "vote", "votes"))} ({t.Percent(c.Votes, e.Valid)})", Bold: true)));
        var tied = e.Ranked.Where(c => c.Outcome == CandidateOutcome.Tied).ToList();
        if (tied.Count > 0)
        {
            body.Add(new Paragraph(t.T(
                $"Các đồng chí bằng phiếu nhau ({t.Number(tied[0].Votes)} phiếu) cho {ElectionCount.SeatsLeft(e)} ghế còn lại: {string.Join(", ", tied.Select(c => c.FullName))}. Đại hội cần bầu lại giữa những người này.",
                $"Tied with {t.Count(tied[0].Votes, "vote", "votes")} for {(ElectionCount.SeatsLeft(e) == 1 ? "the last seat" : $"the {ElectionCount.SeatsLeft(e)} seats left")}: {string.Join(", ", tied.Select(c => c.FullName))}. A runoff between them is needed.")));
        }
        else if (ElectionCount.SeatsLeft(e) > 0)
        {
            body.Add(new Paragraph(t.T($"Còn {ElectionCount.SeatsLeft(e)} ghế chưa có người trúng cử.", ElectionCount.SeatsLeft(e) == 1 ? "1 seat remains unfilled." : $"{ElectionCount.SeatsLeft(e)} seats remain unfilled.")));
        }

        body.Add(new Paragraph(ElectionWording.Describe(e, t.Culture) + "."));
        if (closed is { } c)
        {
            body.Add(new Paragraph(t.T($"Kết thúc bỏ phiếu lúc {t.Moment(c)}.", $"Voting closed at {t.Moment(c)}.")));
        }

        if (MotionMinutesDocument.Local(source.PublishedAt) is { } announced)
        {
            body.Add(new Paragraph(t.T($"Kết quả được công bố trước Đại hội lúc {t.Moment(announced)}.", $"The result was announced to the congress at {t.Moment(announced)}.")));
        }

        if (source.Recounts > 0 && MotionMinutesDocument.Local(source.LastRecountAt) is { } recounted)
        {
            body.Add(new Paragraph(t.T(
                $"Kết quả trên là kết quả sau {source.Recounts} lần kiểm lại; lần cuối lúc {t.Moment(recounted)}.",
                $"These figures stand after {t.Count(source.Recounts, "recount", "recounts")}, the last at {t.Moment(recounted)}."), Italic: true));
        }

        body.Add(new Paragraph(t.T(
            "Biên bản được lập thành 03 bản, có giá trị như nhau, và được công bố trước Đại hội.",
            "These minutes are made in three copies of equal value and read out to the congress."), Italic: true));
        body.Add(new Signatures(
            [
                new(t.T("CÁC THÀNH VIÊN", "THE MEMBERS"), t.T("BAN KIỂM PHIẾU", "OF THE COUNTING COMMITTEE"), null),
                new(t.T("T/M BAN KIỂM PHIẾU", "FOR THE COUNTING COMMITTEE"), t.T("TRƯỞNG BAN", "HEAD"), source.HeadKnown ? source.Committee[0] : null),
            ],
            t.T("(Ký, ghi rõ họ tên)", "(Signature and full name)")));
        return new RecordDocument(heading, t.T("BIÊN BẢN KIỂM PHIẾU", "COUNTING MINUTES"), poll.Title, body);
    }
}
