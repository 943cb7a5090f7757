using CongressVote.Server.CheckIn;
using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// Every document of the congress's record, as the console lists them and as the archive holds them, each made afresh
/// from the stored results: the credentials report, the sign-in sheets, the minutes of each counted vote and election,
/// the paper ballot of each vote, and the minutes of the congress.
/// </summary>
public static class RecordDocuments
{
    /// <summary>A document ready to render: one or more parts (each from a new page) and its file name without extension.</summary>
    public sealed record Made(IReadOnlyList<RecordDocument> Parts, string FileName);

    private sealed record PollRow(Guid Id, string Kind, string Title, string State, DateTime? ClosedAt, DateTime? RecountedAt, bool Counted);

    public static async Task<List<RecordDocumentDto>> ListAsync(NpgsqlConnection connection, Guid congressId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var documents = new List<RecordDocumentDto>
        {
            new("credentials", null, "Báo cáo thẩm tra tư cách đại biểu", "/api/documents/credentials", null),
            new("signin", null, "Danh sách đại biểu ký tên", "/api/documents/signin", null),
        };
        // Every vote and election in the programme's order; the time is that of the result a minutes shows.
        var polls = (await connection.QueryAsync<PollRow>("""
            SELECT p.id, p.kind, p.title, p.state, p.closed_at, (SELECT max(r.at) FROM poll_recount r WHERE r.poll_id = p.id) AS recounted_at,
                   p.state IN ('closed', 'published') AS counted
            FROM poll p JOIN agenda_item a ON a.id = p.agenda_item_id
            WHERE p.congress_id = @congressId AND p.state <> 'cancelled' AND NOT p.rehearsal
              AND (p.kind = 'motion' OR EXISTS (SELECT 1 FROM candidate c WHERE c.poll_id = p.id))
            ORDER BY a.position, p.closed_at NULLS LAST, p.title
            """, new { congressId })).ToList();
        documents.AddRange(polls.Where(p => p.Counted).Select(p => new RecordDocumentDto(
            p.Kind, p.Id, p.Title, $"/api/documents/{p.Kind}s/{p.Id}", PollQueries.Utc(p.RecountedAt ?? p.ClosedAt))));
        // The paper to print for each vote, before or after it: a ballot does not depend on the result.
        documents.AddRange(polls.Select(p => new RecordDocumentDto("ballot", p.Id, p.Title, $"/api/documents/ballots/{p.Id}", null)));
        documents.Add(new RecordDocumentDto("congress", null, "Biên bản đại hội", "/api/documents/congress", null));
        return documents;
    }

    /// <summary>The document of this kind (and poll) in this congress, in the language given; null when there is none.</summary>
    public static async Task<Made?> MakeAsync(NpgsqlConnection connection, Guid congressId, string kind, Guid? pollId, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(t);
        var today = DateOnly.FromDateTime(DateTime.Now);
        switch (kind)
        {
            case "credentials":
            {
                var report = await AttendanceQueries.ReportAsync(connection, congressId, today);
                var (name, heading) = await HeadingAsync(connection, congressId, t, today);
                return new([Dated(CredentialsReportDocument.Build(report, name, heading, t), null, t)], t.T("bao-cao-tham-tra-tu-cach-dai-bieu", "credentials-report"));
            }

            case "signin":
            {
                var people = await SignInSheetDocument.LoadAsync(connection, congressId);
                var (name, heading) = await HeadingAsync(connection, congressId, t, await StartsOnAsync(connection, congressId));
                return new(SignInSheetDocument.Build(people, name, heading, t), t.T("danh-sach-dai-bieu-ky-ten", "sign-in-sheets"));
            }

            case "motion" when pollId is { } id:
            {
                var source = await MotionMinutesDocument.LoadAsync(connection, congressId, id);
                if (source is null)
                {
                    return null;
                }

                var (name, heading) = await HeadingAsync(connection, congressId, t, DayOf(source.Poll.ClosedAt));
                return new([Dated(MotionMinutesDocument.Build(source, name, heading, t), source.Recounts, t)], t.T("bien-ban-bieu-quyet-muc-", "minutes-of-vote-item-") + source.AgendaPosition);
            }

            case "election" when pollId is { } id:
            {
                var source = await CountingMinutesDocument.LoadAsync(connection, congressId, id,
                    (await HeadingSettings.ReadAsync(connection, congressId)).CommitteeNames());
                if (source is null)
                {
                    return null;
                }

                var (name, heading) = await HeadingAsync(connection, congressId, t, DayOf(source.Poll.ClosedAt));
                return new([Dated(CountingMinutesDocument.Build(source, name, heading, t), source.Recounts, t)], t.T("bien-ban-kiem-phieu-muc-", "counting-minutes-item-") + source.AgendaPosition);
            }

            case "ballot" when pollId is { } id:
            {
                var poll = await PollQueries.FindAsync(connection, id);
                if (poll is null || poll.CongressId != congressId || poll.State == "cancelled")
                {
                    return null;
                }

                int position = await connection.QuerySingleAsync<int>("SELECT position FROM agenda_item WHERE id = @AgendaItemId", new { poll.AgendaItemId });
                var (name, heading) = await HeadingAsync(connection, congressId, t, await StartsOnAsync(connection, congressId));
                // A ballot is not dated: the place-and-date line stays for the heading's shape, empty.
                heading = heading with { Number = null, PlaceAndDate = "" };
                string file = poll.IsElection ? t.T("phieu-bau-cu-muc-", "ballot-item-") : t.T("phieu-bieu-quyet-muc-", "voting-slip-item-");
                return new([BallotDocument.Build(poll, name, heading, t)], file + position);
            }

            case "congress":
            {
                var source = await CongressMinutesDocument.LoadAsync(connection, congressId);
                var (name, heading) = await HeadingAsync(connection, congressId, t, today);
                return new([Dated(CongressMinutesDocument.Build(source, name, heading, t), null, t)], t.T("bien-ban-dai-hoi", "minutes-of-the-congress"));
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// The last line of a report or minutes: when this copy was made and, for a vote, from which version of its
    /// result (the count at the close, or the Nth recount), so two printed copies can be told apart.
    /// </summary>
    private static RecordDocument Dated(RecordDocument document, int? recounts, DocumentText t)
    {
        var now = DateTimeOffset.Now;
        string line = recounts switch
        {
            null => t.T($"Văn bản lập lúc {t.Moment(now)} từ dữ liệu lưu trong hệ thống.", $"This copy was made at {t.Moment(now)} from the data stored in the system."),
            0 => t.T($"Văn bản lập lúc {t.Moment(now)} từ kết quả kiểm khi kết thúc bỏ phiếu.", $"This copy was made at {t.Moment(now)} from the count at the close of the vote."),
            { } n => t.T($"Văn bản lập lúc {t.Moment(now)} từ kết quả kiểm lại lần thứ {n}.", $"This copy was made at {t.Moment(now)} from recount no. {n}."),
        };
        return document with { Body = [.. document.Body, new Paragraph(line, Italic: true)] };
    }

    private static DateOnly DayOf(DateTime? closedAt) => DateOnly.FromDateTime((MotionMinutesDocument.Local(closedAt) ?? DateTimeOffset.Now).DateTime);

    private static Task<DateOnly> StartsOnAsync(NpgsqlConnection connection, Guid congressId) =>
        connection.QuerySingleAsync<DateOnly>("SELECT starts_on FROM congress WHERE id = @congressId", new { congressId });

    private static async Task<(string Name, DocumentHeading Heading)> HeadingAsync(NpgsqlConnection connection, Guid congressId, DocumentText t, DateOnly date)
    {
        string name = await connection.QuerySingleAsync<string>("SELECT name FROM congress WHERE id = @congressId", new { congressId });
        var settings = await HeadingSettings.ReadAsync(connection, congressId);
        return (name, HeadingSettings.Heading(settings, name, null, date, t));
    }
}
