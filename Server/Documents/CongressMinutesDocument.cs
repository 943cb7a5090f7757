using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// Biên bản đại hội: the minutes of the congress, every agenda item in order with the results of its votes and
/// elections as stored, attendance now, and the audit trail's anchor (its row count and latest hash) so a later
/// check can show the trail the minutes were signed against was not cut or rewritten.
/// </summary>
public static class CongressMinutesDocument
{
    public sealed record Item(Guid Id, int Position, string Title);

    public sealed record Source(
        DateOnly StartsOn, IReadOnlyList<Item> Agenda, IReadOnlyList<PollQueries.PollRow> Polls, AttendanceDto Attendance, long AuditRows, string? AuditHash);

    private sealed record Audit(long Rows, byte[]? Hash);

    public static async Task<Source> LoadAsync(NpgsqlConnection connection, Guid congressId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var startsOn = await connection.QuerySingleAsync<DateOnly>("SELECT starts_on FROM congress WHERE id = @congressId", new { congressId });
        var agenda = (await connection.QueryAsync<Item>(
            "SELECT id, position, title FROM agenda_item WHERE congress_id = @congressId ORDER BY position", new { congressId })).ToList();
        var polls = (await PollQueries.ListAsync(connection, congressId)).Where(p => p.Passed is not null && !p.Rehearsal).ToList();
        var attendance = await CheckIn.AttendanceQueries.ReadAsync(connection, congressId);
        // The chain is one for the server; its head at this moment is the anchor the minutes carry.
        var audit = await connection.QuerySingleAsync<Audit>(
            "SELECT count(*) AS rows, (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1) AS hash FROM audit_event");
        return new Source(startsOn, agenda, polls, attendance, audit.Rows, audit.Hash is null ? null : Convert.ToHexStringLower(audit.Hash));
    }

    public static RecordDocument Build(Source source, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(t);
        var a = source.Attendance;
        var body = new List<Block>
        {
            new Section(t.T("I. THỜI GIAN, THÀNH PHẦN", "I. DATE AND ATTENDANCE")),
            new Paragraph(t.T($"- Khai mạc: {t.Date(source.StartsOn)}.", $"- Opened: {t.Date(source.StartsOn)}.")),
            new Paragraph(t.T(
                $"- Đại biểu được triệu tập: {t.Number(a.Summoned)}; có mặt: {t.Number(a.Present)} ({t.Percent(a.Present, a.Summoned)}); vắng có lý do: {t.Number(a.Excused)}.",
                $"- Delegates summoned: {t.Number(a.Summoned)}; present: {t.Number(a.Present)} ({t.Percent(a.Present, a.Summoned)}); excused: {t.Number(a.Excused)}.")),
            new Paragraph(QuorumWording.Describe(a, t.Culture) + "."),
            new Section(t.T("II. DIỄN BIẾN ĐẠI HỘI", "II. PROCEEDINGS")),
        };
        var byItem = source.Polls.ToLookup(p => p.AgendaItemId);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var item in source.Agenda)
        {
            var polls = byItem[item.Id].ToList();
            if (polls.Count == 0)
            {
                rows.Add([t.Number(item.Position), item.Title, "", ""]);
            }

            foreach (var poll in polls)
            {
                var dto = poll.ToDto();
                string result = dto.Election is { } e ? ElectionWording.Describe(e, t.Culture) : RuleWording.Describe(dto.Result!, t.Culture);
                string title = poll.Title == item.Title ? item.Title : $"{item.Title}: {poll.Title}";
                string at = MotionMinutesDocument.Local(poll.ClosedAt) is { } c ? c.ToString("HH:mm dd/MM", t.Culture) : "";
                rows.Add([t.Number(item.Position), title, result, at]);
            }
        }

        body.Add(new Table(
            [new(t.T("Mục", "Item"), 0.8, true), new(t.T("Nội dung", "Item"), 4), new(t.T("Kết quả", "Result"), 5), new(t.T("Thời gian", "Time"), 1.6)],
            rows));
        var elections = source.Polls.Where(p => p.IsElection).ToList();
        if (elections.Count > 0)
        {
            body.Add(new Section(t.T("III. KẾT QUẢ BẦU CỬ", "III. ELECTION RESULTS")));
            foreach (var poll in elections)
            {
                var e = poll.ToDto().Election!;
                body.Add(new Paragraph(poll.Title, Bold: true));
                body.AddRange(e.Ranked.Where(c => c.Outcome == CandidateOutcome.Elected).Select((c, i) => new Paragraph(
                    $"{i + 1}. {c.FullName}: {t.Number(c.Votes)} {t.T("phiếu", "votes")} ({t.Percent(c.Votes, e.Valid)} {t.T("phiếu hợp lệ", "of valid ballots")})")));
                var tied = e.Ranked.Where(c => c.Outcome == CandidateOutcome.Tied).Select(c => c.FullName).ToList();
                if (tied.Count > 0)
                {
                    body.Add(new Paragraph(t.T($"Bằng phiếu nhau: {string.Join(", ", tied)}.", $"Tied: {string.Join(", ", tied)}."), Italic: true));
                }
            }
        }

        body.Add(new Section(elections.Count > 0 ? t.T("IV. NHẬT KÝ HỆ THỐNG", "IV. THE AUDIT TRAIL") : t.T("III. NHẬT KÝ HỆ THỐNG", "III. THE AUDIT TRAIL")));
        body.Add(new Paragraph(source.AuditHash is { } hash
            ? t.T($"Nhật ký kiểm toán khi lập biên bản: {t.Number((int)Math.Min(source.AuditRows, int.MaxValue))} bản ghi; mã băm cuối: {hash}.",
                $"The audit trail when these minutes were made: {t.Number((int)Math.Min(source.AuditRows, int.MaxValue))} rows; latest hash: {hash}.")
            : t.T("Nhật ký kiểm toán chưa có bản ghi.", "The audit trail has no rows yet.")));
        body.Add(new Signatures(
            [
                new(t.T("T/M ĐOÀN THƯ KÝ", "FOR THE SECRETARIAT"), t.T("TRƯỞNG ĐOÀN", "HEAD"), null),
                new(t.T("T/M ĐOÀN CHỦ TỊCH", "FOR THE PRESIDIUM"), t.T("CHỦ TRÌ", "PRESIDING"), null),
            ],
            t.T("(Ký, ghi rõ họ tên)", "(Signature and full name)")));
        return new RecordDocument(heading, t.T("BIÊN BẢN ĐẠI HỘI", "MINUTES OF THE CONGRESS"), congressName, body);
    }
}
