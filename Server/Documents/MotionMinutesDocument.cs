using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// Biên bản biểu quyết: the minutes of one motion vote, every figure as stored on the poll at close (or at its last
/// recount), re-described by the rule that decided it; paper votes shown apart from the tablets'; for a named vote
/// an annex with each entitled delegate's vote.
/// </summary>
public static class MotionMinutesDocument
{
    public sealed record Source(
        PollQueries.PollRow Poll, string AgendaItem, int AgendaPosition, int PaperYes, int PaperNo, int PaperAbstain,
        int Recounts, DateTime? LastRecountAt, IReadOnlyList<VoterDto> Voters);

    private sealed record Paper(int Yes, int No, int Abstain);

    private sealed record Item(string Title, int Position);

    private sealed record RecountRow(int Count, DateTime? Last);

    private sealed record VoterRow(string Code, string FullName, string Delegation, bool Voted, short? Choice);

    /// <summary>The stored result of a closed motion of this congress; null for anything else.</summary>
    public static async Task<Source?> LoadAsync(NpgsqlConnection connection, Guid congressId, Guid pollId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var poll = await PollQueries.FindAsync(connection, pollId);
        if (poll is null || poll.CongressId != congressId || poll.IsElection || poll.Passed is null || poll.Rehearsal)
        {
            return null;
        }

        var item = await connection.QuerySingleAsync<Item>("SELECT title, position FROM agenda_item WHERE id = @AgendaItemId", new { poll.AgendaItemId });
        var paper = await connection.QuerySingleAsync<Paper>("""
            SELECT coalesce(sum(yes), 0)::int AS yes, coalesce(sum(no), 0)::int AS no, coalesce(sum(abstain), 0)::int AS abstain
            FROM paper_count WHERE poll_id = @pollId
            """, new { pollId });
        var recounts = await connection.QuerySingleAsync<RecountRow>(
            "SELECT count(*)::int AS count, max(at) AS last FROM poll_recount WHERE poll_id = @pollId", new { pollId });
        IReadOnlyList<VoterDto> voters = [];
        if (!poll.Secret)
        {
            // The roll fixed at open, and each vote cast on a tablet; a secret poll links no one to a choice.
            voters = (await connection.QueryAsync<VoterRow>("""
                SELECT d.code, d.full_name, coalesce(dl.name, '') AS delegation, v.delegate_id IS NOT NULL AS voted, b.choice
                FROM poll_roll r
                JOIN delegate d ON d.id = r.delegate_id
                LEFT JOIN delegation dl ON dl.id = d.delegation_id
                LEFT JOIN poll_voter v ON v.poll_id = r.poll_id AND v.delegate_id = r.delegate_id
                LEFT JOIN ballot b ON b.poll_id = v.poll_id AND b.id = v.ballot_id
                WHERE r.poll_id = @pollId
                """, new { pollId }))
                .Select(v => new VoterDto(v.Code, v.FullName, v.Delegation, v.Voted, v.Choice is { } c ? (VoteChoice)c : null))
                .OrderBy(v => v.Delegation, VietnameseOrder.Collation).ThenBy(v => v.FullName, VietnameseOrder.Names)
                .ToList();
        }

        return new Source(poll, item.Title, item.Position, paper.Yes, paper.No, paper.Abstain, recounts.Count, recounts.Last, voters);
    }

    /// <summary>The rule in words: "more than 1/2 of the delegates summoned", "at least 2/3 of the valid ballots".</summary>
    public static string RuleInWords(MajorityRule rule, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(t);
        string comparison = rule.Strict ? t.T("trên", "more than") : t.T("ít nhất", "at least");
        string share = rule.Numerator == 0 ? "" : $" {rule.Numerator}/{rule.Denominator} {t.T("tổng số", "of the")}";
        string constant = rule.Constant == 0 ? "" : $" + {rule.Constant}";
        return $"{comparison}{share} {RuleWording.BaseName(rule.Base, t.Vietnamese)}{constant}";
    }

    public static RecordDocument Build(Source source, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(t);
        var poll = source.Poll;
        var result = poll.ToDto().Result!;
        int cast = result.Yes + result.No + result.Abstain;
        DateTimeOffset? opened = Local(poll.OpenedAt);
        DateTimeOffset? closed = Local(poll.ClosedAt);
        string form = poll.Secret ? t.T("biểu quyết kín trên máy tính bảng", "secret vote on tablets")
            : t.T("biểu quyết công khai, ghi danh trên máy tính bảng", "open, named vote on tablets");
        bool paper = source.PaperYes + source.PaperNo + source.PaperAbstain > 0;
        if (paper)
        {
            form += t.T(" và phiếu giấy", " and on paper");
        }

        string verdict = result.Verdict switch
        {
            Verdict.Passed => t.T("ĐƯỢC THÔNG QUA", "ADOPTED"),
            Verdict.NoQuorum => t.T("KHÔNG CÓ HIỆU LỰC (không đủ số đại biểu có mặt)", "VOID (no quorum at the close)"),
            Verdict.Tie => t.T("KHÔNG ĐƯỢC THÔNG QUA (số phiếu ngang nhau)", "NOT ADOPTED (a tie)"),
            _ => t.T("KHÔNG ĐƯỢC THÔNG QUA", "NOT ADOPTED"),
        };
        string baseName = RuleWording.BaseName(result.Base, t.Vietnamese);
        var body = new List<Block>
        {
            new Paragraph(t.T(
                $"Tại {congressName}, theo mục {source.AgendaPosition} của Chương trình \"{source.AgendaItem}\", Đại hội đã tiến hành biểu quyết. Biên bản ghi nhận như sau:",
                $"At {congressName}, under item {source.AgendaPosition} of the programme, \"{source.AgendaItem}\", the congress voted. These minutes record:")),
            new Section(t.T("I. NỘI DUNG BIỂU QUYẾT", "I. THE QUESTION")),
            new Paragraph(t.T($"- Nội dung: {poll.Title}", $"- Motion: {poll.Title}")),
        };
        if (poll.Question.Length > 0)
        {
            body.Add(new Paragraph(t.T($"- Câu hỏi biểu quyết: {poll.Question}", $"- Question put: {poll.Question}")));
        }

        body.Add(new Paragraph(t.T($"- Hình thức: {form}.", $"- Form: {form}.")));
        body.Add(new Paragraph(t.T(
            $"- Nguyên tắc: nội dung được thông qua khi số phiếu tán thành {RuleInWords(poll.Rule, t)}.",
            $"- Rule: the motion is adopted with yes votes {RuleInWords(poll.Rule, t)}.")));
        body.Add(new Paragraph(t.T(
            $"- Bắt đầu: {(opened is { } o ? t.Moment(o) : "–")}; kết thúc: {(closed is { } c ? t.Moment(c) : "–")}.",
            $"- Opened: {(opened is { } o2 ? t.Moment(o2) : "–")}; closed: {(closed is { } c2 ? t.Moment(c2) : "–")}.")));
        body.Add(new Section(t.T("II. KẾT QUẢ BIỂU QUYẾT", "II. THE RESULT")));
        body.Add(new Table(
            [new(t.T("Chỉ tiêu", "Figure"), 6), new(t.T("Số lượng", "Count"), 2, true)],
            [
                [t.T("Đại biểu có quyền biểu quyết", "Delegates entitled to vote"), t.Number(result.Entitled)],
                [t.T("Đại biểu có mặt khi kết thúc biểu quyết", "Delegates present at the close"), t.Number(result.Present)],
                [t.T("Số phiếu biểu quyết", "Votes cast"), t.Number(cast)],
            ]));
        body.Add(new Table(
            [new(t.T("Lựa chọn", "Choice"), 3), new(t.T("Máy tính bảng", "Tablets"), 1.7, true), new(t.T("Phiếu giấy", "Paper"), 1.7, true),
             new(t.T("Cộng", "Total"), 1.7, true), new(t.T("Tỷ lệ", "Share"), 1.7, true)],
            [
                Choice(t.T("Tán thành", "Yes"), result.Yes, source.PaperYes, result.BaseCount, t),
                Choice(t.T("Không tán thành", "No"), result.No, source.PaperNo, result.BaseCount, t),
                Choice(t.T("Không biểu quyết", "Abstain"), result.Abstain, source.PaperAbstain, result.BaseCount, t),
            ],
            [t.T("Cộng", "Total"), t.Number(cast - source.PaperYes - source.PaperNo - source.PaperAbstain),
             t.Number(source.PaperYes + source.PaperNo + source.PaperAbstain), t.Number(cast), ""]));
        body.Add(new Paragraph(t.T(
            $"Tỷ lệ tính trên {t.Number(result.BaseCount)} {baseName}.",
            $"Shares are of the {t.Number(result.BaseCount)} {baseName}."), Italic: true));
        if (source.Recounts > 0 && Local(source.LastRecountAt) is { } recounted)
        {
            body.Add(new Paragraph(t.T(
                $"Kết quả trên là kết quả sau {source.Recounts} lần kiểm lại; lần cuối lúc {t.Moment(recounted)}.",
                $"These figures stand after {t.Count(source.Recounts, "recount", "recounts")}, the last at {t.Moment(recounted)}."), Italic: true));
        }

        body.Add(new Section(t.T("III. KẾT LUẬN", "III. CONCLUSION")));
        body.Add(new Paragraph(RuleWording.Describe(result, t.Culture) + "."));
        body.Add(new Paragraph(t.T($"Nội dung \"{poll.Title}\" {verdict}.", $"The motion \"{poll.Title}\" is {verdict}."), Bold: true));
        body.Add(new Signatures(
            [
                new(t.T("T/M ĐOÀN THƯ KÝ", "FOR THE SECRETARIAT"), t.T("TRƯỞNG ĐOÀN", "HEAD"), null),
                new(t.T("T/M ĐOÀN CHỦ TỊCH", "FOR THE PRESIDIUM"), t.T("CHỦ TRÌ", "PRESIDING"), null),
            ],
            t.T("(Ký, ghi rõ họ tên)", "(Signature and full name)")));
        if (!poll.Secret && source.Voters.Count > 0)
        {
            body.Add(new PageBreak());
            body.Add(new Paragraph(t.T("PHỤ LỤC", "ANNEX"), Bold: true, Centered: true));
            body.Add(new Paragraph(t.T($"Danh sách biểu quyết ghi danh: {poll.Title}", $"The named vote: {poll.Title}"), Bold: true, Centered: true));
            body.Add(new Table(
                [new(t.T("STT", "No."), 0.8, true), new(t.T("Mã", "Code"), 1.3), new(t.T("Họ và tên", "Full name"), 3.2),
                 new(t.T("Đơn vị", "Delegation"), 3), new(t.T("Biểu quyết", "Vote"), 2)],
                source.Voters.Select((v, i) => (IReadOnlyList<string>)[t.Number(i + 1), v.Code, v.FullName, v.Delegation, Vote(v, t)]).ToList()));
            if (paper)
            {
                body.Add(new Paragraph(t.T(
                    "Phiếu giấy do Ban Kiểm phiếu nhập theo tổng số, không ghi danh, nên không có trong danh sách này.",
                    "Paper votes were entered as totals by the counting committee and are not named in this list."), Italic: true));
            }
        }

        return new RecordDocument(heading, t.T("BIÊN BẢN BIỂU QUYẾT", "MINUTES OF A VOTE"), poll.Title, body);
    }

    private static string Vote(VoterDto v, DocumentText t) => v.Choice switch
    {
        VoteChoice.Yes => t.T("Tán thành", "Yes"),
        VoteChoice.No => t.T("Không tán thành", "No"),
        VoteChoice.Abstain => t.T("Không biểu quyết", "Abstain"),
        _ => v.Voted ? "" : t.T("Không tham gia", "Did not vote"),
    };

    /// <summary>The stored total split into its paper part (entered by the committee) and the rest (the tablets).</summary>
    private static IReadOnlyList<string> Choice(string label, int total, int paper, int baseCount, DocumentText t) =>
        [label, t.Number(total - paper), t.Number(paper), t.Number(total), t.Percent(total, baseCount)];

    /// <summary>The venue server runs in the hall's time zone; the record shows the hall's clock.</summary>
    public static DateTimeOffset? Local(DateTime? utc) =>
        utc is { } u ? TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)), TimeZoneInfo.Local) : null;
}
