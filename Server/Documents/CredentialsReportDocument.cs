using CongressVote.Shared;

namespace CongressVote.Server.Documents;

/// <summary>
/// Báo cáo thẩm tra tư cách đại biểu: the credentials committee's report, from the same figures the desk and the
/// console show (<see cref="CheckIn.AttendanceQueries.ReportAsync"/>).
/// </summary>
public static class CredentialsReportDocument
{
    public static RecordDocument Build(CredentialsReportDto report, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(t);
        var a = report.Attendance;
        int absentAll = report.Absent.Count;
        var body = new List<Block>
        {
            new Paragraph(t.T(
                $"Căn cứ danh sách đại biểu được triệu tập và kết quả đăng ký đại biểu tại {congressName}, Ban Thẩm tra tư cách đại biểu báo cáo Đại hội như sau:",
                $"From the list of summoned delegates and the registration at {congressName}, the Credentials Committee reports to the congress:")),
            new Section(t.T("I. SỐ LƯỢNG ĐẠI BIỂU", "I. NUMBER OF DELEGATES")),
            new Paragraph(t.T($"- Tổng số đại biểu được triệu tập: {t.Number(a.Summoned)} đồng chí.", $"- Delegates summoned: {t.Number(a.Summoned)}.")),
            new Paragraph(t.T(
                $"- Số đại biểu có mặt: {t.Number(a.Present)} đồng chí, bằng {t.Percent(a.Present, a.Summoned)} tổng số đại biểu được triệu tập.",
                $"- Delegates present: {t.Number(a.Present)}, {t.Percent(a.Present, a.Summoned)} of those summoned.")),
            new Paragraph(t.T(
                $"- Số đại biểu vắng mặt: {t.Number(absentAll)} đồng chí, trong đó có lý do: {t.Number(a.Excused)}, không có lý do: {t.Number(absentAll - a.Excused)}.",
                $"- Delegates absent: {t.Number(absentAll)}, of whom {t.Number(a.Excused)} with a reason and {t.Number(absentAll - a.Excused)} without.")),
        };
        if (a.Excused > 0 && absentAll - a.Excused == a.Summoned - a.Present)
        {
            // The preset leaves excused delegates out of the summoned count: say so, or the sums look wrong.
            body.Add(new Paragraph(t.T(
                "Đại biểu vắng mặt có lý do không tính vào tổng số đại biểu được triệu tập theo quy định của Đại hội.",
                "Under the congress's rules, delegates absent with a reason are not counted among those summoned."), Italic: true));
        }

        body.Add(new Paragraph(QuorumWording.Describe(a, t.Culture) + "."));
        body.Add(new Section(t.T("II. CƠ CẤU ĐẠI BIỂU", "II. COMPOSITION OF THE DELEGATES")));
        int n = 1;
        foreach (var group in report.Rows.Where(r => r.Group != "nonvoting").GroupBy(r => r.Group))
        {
            body.Add(new Paragraph($"{n++}. " + GroupTitle(group.Key, t), Bold: true));
            var rows = group.ToList();
            body.Add(new Table(
                [new(GroupHeader(group.Key, t), 3.5), new(t.T("Triệu tập", "Summoned"), 1.9, true), new(t.T("Có mặt", "Present"), 1.5, true),
                 new(t.T("Tỷ lệ", "Share"), 1.3, true), new(t.T("Vắng", "Absent"), 1.3, true), new(t.T("Vắng có lý do", "Excused"), 1.6, true)],
                rows.Select(r => (IReadOnlyList<string>)[Label(group.Key, r.Key, t), t.Number(r.Summoned), t.Number(r.Present),
                    t.Percent(r.Present, a.Present), t.Number(r.Absent), t.Number(r.Excused)]).ToList(),
                [t.T("Cộng", "Total"), t.Number(rows.Sum(r => r.Summoned)), t.Number(rows.Sum(r => r.Present)),
                 t.Percent(rows.Sum(r => r.Present), a.Present), t.Number(rows.Sum(r => r.Absent)), t.Number(rows.Sum(r => r.Excused))]));
        }

        var nonVoting = report.Rows.Where(r => r.Group == "nonvoting").ToList();
        if (nonVoting.Count > 0)
        {
            body.Add(new Paragraph($"{n}. " + t.T("Đại biểu dự khuyết và khách mời (không biểu quyết, không tính vào các số trên)",
                "Alternates and guests (no vote, not in the figures above)"), Bold: true));
            body.Add(new Table(
                [new(t.T("Loại", "Kind"), 4), new(t.T("Được mời", "Invited"), 1.5, true), new(t.T("Có mặt", "Present"), 1.5, true)],
                nonVoting.Select(r => (IReadOnlyList<string>)[Label("kind", r.Key, t), t.Number(r.Summoned), t.Number(r.Present)]).ToList()));
        }

        body.Add(new Section(t.T("III. ĐẠI BIỂU VẮNG MẶT", "III. ABSENT DELEGATES")));
        if (report.Absent.Count == 0)
        {
            body.Add(new Paragraph(t.T("Không có đại biểu vắng mặt.", "No delegate is absent.")));
        }
        else
        {
            body.Add(new Table(
                [new(t.T("STT", "No."), 0.8, true), new(t.T("Mã", "Code"), 1.3), new(t.T("Họ và tên", "Full name"), 3.2),
                 new(t.T("Đơn vị", "Delegation"), 3), new(t.T("Lý do", "Reason"), 3)],
                report.Absent.Select((x, i) => (IReadOnlyList<string>)[t.Number(i + 1), x.Code, x.FullName, x.Delegation,
                    x.Reason ?? t.T("Không có lý do", "No reason given")]).ToList()));
        }

        body.Add(new Section(t.T("IV. KẾT LUẬN", "IV. CONCLUSION")));
        body.Add(new Paragraph(t.T(
            $"Ban Thẩm tra tư cách đại biểu xác nhận {t.Number(a.Present)} đại biểu có mặt đủ tư cách đại biểu dự {congressName}. " +
            (a.QuorumReached ? "Đại hội đủ điều kiện tiến hành theo quy định." : "Số đại biểu có mặt chưa đủ số lượng quy định để Đại hội tiến hành."),
            $"The Credentials Committee confirms the credentials of the {t.Number(a.Present)} delegates present at {congressName}. " +
            (a.QuorumReached ? "The congress may proceed." : "Too few delegates are present for the congress to proceed."))));
        body.Add(new Signatures(
            [new(t.T("T/M BAN THẨM TRA TƯ CÁCH ĐẠI BIỂU", "ON BEHALF OF THE CREDENTIALS COMMITTEE"), t.T("TRƯỞNG BAN", "CHAIR"), null)],
            t.T("(Ký, ghi rõ họ tên)", "(Signature and full name)")));
        return new RecordDocument(heading, t.T("BÁO CÁO", "REPORT"),
            t.T("Thẩm tra tư cách đại biểu", "On the credentials of the delegates"), body);
    }

    private static string GroupTitle(string group, DocumentText t) => group switch
    {
        "kind" => t.T("Theo loại đại biểu", "By kind of delegate"),
        "gender" => t.T("Theo giới tính", "By gender"),
        "delegation" => t.T("Theo đơn vị (đoàn đại biểu)", "By delegation"),
        _ => t.T("Theo độ tuổi", "By age"),
    };

    private static string GroupHeader(string group, DocumentText t) => group switch
    {
        "kind" => t.T("Loại", "Kind"),
        "gender" => t.T("Giới tính", "Gender"),
        "delegation" => t.T("Đơn vị", "Delegation"),
        _ => t.T("Độ tuổi", "Age"),
    };

    private static string Label(string group, string key, DocumentText t) => (group, key) switch
    {
        ("kind", "official") => t.T("Đại biểu chính thức", "Official delegates"),
        ("kind", "alternate") => t.T("Đại biểu dự khuyết", "Alternates"),
        ("kind", "guest") => t.T("Khách mời", "Guests"),
        ("gender", "female") => t.T("Nữ", "Women"),
        ("gender", "male") => t.T("Nam", "Men"),
        ("gender", "other") => t.T("Khác", "Other"),
        (_, "?") => t.T("Chưa rõ", "Unknown"),
        ("age", _) => key + t.T(" tuổi", " years"),
        ("delegation", "") => t.T("(không thuộc đoàn)", "(no delegation)"),
        _ => key,
    };
}
