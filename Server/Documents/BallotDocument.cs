using CongressVote.Server.Polls;

namespace CongressVote.Server.Documents;

/// <summary>
/// Paper for the hybrid case: the ballot of an election (phiếu bầu cử) with the candidates in ballot order, and the
/// slip of a motion vote (phiếu biểu quyết) with a box per choice; each with the place for the counting committee's
/// stamp, without which a paper ballot is invalid.
/// </summary>
public static class BallotDocument
{
    public static RecordDocument Build(PollQueries.PollRow poll, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(t);
        var stamp = new StampBox(t.T("Dấu của Ban Kiểm phiếu", "Stamp of the counting committee"));
        if (poll.IsElection)
        {
            int seats = poll.Seats ?? 1;
            return new RecordDocument(heading, t.T("PHIẾU BẦU CỬ", "BALLOT"), poll.Title,
            [
                new Paragraph(congressName, Bold: true, Centered: true),
                new Paragraph(t.T($"Số lượng cần bầu: {t.Number(seats)} người.", $"Seats to fill: {t.Number(seats)}."), Centered: true),
                new Table(
                    [new(t.T("STT", "No."), 0.8, true), new(t.T("Họ và tên", "Full name"), 4.5), new(t.T("Năm sinh", "Born"), 1.2, true),
                     new(t.T("Chức vụ, đơn vị", "Position, unit"), 4)],
                    poll.Candidates.OrderBy(c => c.Position).Select(c => (IReadOnlyList<string>)[t.Number(c.Position), c.FullName,
                        c.BirthYear?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                        string.Join(", ", new[] { c.JobTitle, c.Unit }.Where(x => !string.IsNullOrEmpty(x)))]).ToList(),
                    RowHeight: 22),
                new Paragraph(t.T(
                    $"Cách bầu: giữ nguyên họ và tên người mình bầu; gạch ngang cả họ và tên người mình không bầu. Giữ lại không quá {t.Number(seats)} người; " +
                    "phiếu giữ lại quá số lượng cần bầu, ghi thêm tên hoặc có ký hiệu riêng là phiếu không hợp lệ.",
                    $"How to vote: leave the full name of each candidate you elect; strike out the whole name of each you do not. Keep at most {t.Number(seats)}; " +
                    "a ballot keeping more, with a name added or with any mark of its own is invalid."), Italic: true),
                stamp,
            ]);
        }

        var choices = new List<Column>
        {
            new(t.T("Tán thành", "Yes"), 1, true), new(t.T("Không tán thành", "No"), 1, true),
        };
        if (poll.AllowAbstain)
        {
            choices.Add(new(t.T("Không biểu quyết", "Abstain"), 1, true));
        }

        var body = new List<Block> { new Paragraph(congressName, Bold: true, Centered: true) };
        if (poll.Question.Length > 0)
        {
            body.Add(new Paragraph(poll.Question, Centered: true));
        }

        body.Add(new Table(choices, [choices.Select(_ => "").ToList()], RowHeight: 40));
        body.Add(new Paragraph(t.T(
            "Cách biểu quyết: đánh dấu (X) vào một ô duy nhất. Phiếu đánh dấu nhiều ô, không đánh dấu ô nào hoặc có ký hiệu riêng là phiếu không hợp lệ.",
            "How to vote: mark one box only (X). A slip with more than one box or no box marked, or with any mark of its own, is invalid."), Italic: true));
        body.Add(stamp);
        return new RecordDocument(heading, t.T("PHIẾU BIỂU QUYẾT", "VOTING SLIP"), poll.Title, body);
    }
}
