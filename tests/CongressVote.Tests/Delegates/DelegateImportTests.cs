using System.Net;
using System.Text;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using static CongressVote.Tests.Infrastructure.DelegateLists;

namespace CongressVote.Tests.Delegates;

/// <summary>Importing delegate lists through the real endpoint into PostgreSQL; each test has a congress of its own.</summary>
public sealed class DelegateImportTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<(DemoAccess Access, HttpClient Staff)> EmptyCongressAsync()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        return (access, await _server.SignInStaffAsync(access));
    }

    [Test]
    public async Task A_semicolon_CSV_with_Vietnamese_headers_imports_every_row()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader,
            Line("A001", "Nguyễn Văn An"), Line("A002", "Trần Thị Ánh", gender: "Nữ"), Line("A003", "Lê Minh Đức", "Quân khu 2", kind: "Khách mời"));

        var (response, report) = await ImportAsync(staff, file);

        var list = await ListAsync(staff);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(report.Added, Is.EqualTo(3));
            Assert.That(list.Items.Select(d => d.Code), Is.EquivalentTo(new[] { "A001", "A002", "A003" }));
            Assert.That(list.Items.Single(d => d.Code == "A003").Kind, Is.EqualTo(DelegateKind.Guest));
            Assert.That(list.Items.Single(d => d.Code == "A002").Gender, Is.EqualTo(Gender.Female));
            Assert.That(list.Delegations, Is.EquivalentTo(new[] { "Quân khu 1", "Quân khu 2" }));
        });
    }

    [Test]
    public async Task A_comma_CSV_with_English_headers_in_another_order_and_no_BOM_imports()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Encoding.UTF8.GetBytes("Full name,Delegate type,Code,Gender,Delegation,Notes\r\n\"Phạm Quang, Huy\",official,B1,male,Unit 7,\"said \"\"hi\"\"\"\r\n");

        var (_, report) = await ImportAsync(staff, file);

        var only = (await ListAsync(staff)).Items.Single();
        Assert.Multiple(() =>
        {
            Assert.That(report.Imported, Is.True);
            Assert.That(only.FullName, Is.EqualTo("Phạm Quang, Huy"));
            Assert.That(only.Notes, Is.EqualTo("said \"hi\""));
            Assert.That(only.Delegation, Is.EqualTo("Unit 7"));
        });
    }

    [Test]
    public async Task A_missing_required_value_is_named_by_row_and_column_and_nothing_is_imported()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader, Line("A001", "Nguyễn Văn An"), Line("A002", ""), Line("A003", "Lê Văn Cường"));

        var (response, report) = await ImportAsync(staff, file);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(3, "Họ và tên", "required", null) }));
            Assert.That((await ListAsync(staff)).Total, Is.Zero, "a file with an error imports no row");
        });
    }

    [Test]
    public async Task A_missing_required_column_is_named()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv("Mã đại biểu;Họ và tên;Đoàn;Loại đại biểu", "A1;Nguyễn Văn An;Quân khu 1;Chính thức");

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(1, "Giới tính", "missing_column", null) }));
    }

    [Test]
    public async Task A_duplicate_code_names_both_rows()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader, Line("A001", "Nguyễn Văn An"), Line("A002", "Trần Văn Bình"), Line("A001", "Lê Văn Cường"));

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(4, "Mã đại biểu", "duplicate_code", "A001 (2)") }));
    }

    [Test]
    public async Task An_unknown_delegate_type_is_refused_with_the_value()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader, Line("A001", "Nguyễn Văn An", kind: "Quan sát viên"));

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(2, "Loại đại biểu", "unknown_type", "Quan sát viên") }));
    }

    [Test]
    public async Task A_control_character_is_refused_naming_its_code_point_and_position()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader, Line("A001", "Nguyễn\u0007Văn An"));

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(2, "Họ và tên", "control_characters", "U+0007;7") }));
    }

    [TestCase(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37 }, "PDF")]
    [TestCase(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }, "Excel 97-2003 (.xls)")]
    [TestCase(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image")]
    public async Task A_file_that_is_not_CSV_or_XLSX_is_refused_saying_what_it_looks_like(byte[] start, string looksLike)
    {
        var (_, staff) = await EmptyCongressAsync();

        var (_, report) = await ImportAsync(staff, [.. start, .. new byte[64]], "list.csv");

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(0, "", "file_not_spreadsheet", looksLike) }));
    }

    [Test]
    public async Task A_UTF16_file_is_refused_naming_the_encoding()
    {
        var (_, staff) = await EmptyCongressAsync();
        var text = string.Join("\r\n", VietnameseHeader, Line("A001", "Nguyễn Văn An"));
        byte[] file = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)];

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(0, "", "file_encoding", "UTF-16 LE") }));
    }

    [Test]
    public async Task A_legacy_Vietnamese_code_page_is_refused_as_not_UTF8()
    {
        var (_, staff) = await EmptyCongressAsync();
        // "Nguyễn" in Windows-1258: base letters followed by a combining tone byte (0xDE), invalid as UTF-8.
        byte[] file = [.. "Mã;Họ tên\r\n"u8.ToArray(), 0x4E, 0x67, 0x75, 0x79, 0xEA, 0xDE, 0x6E];

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems.Single().Code, Is.EqualTo("file_encoding"));
        Assert.That(report.Problems.Single().Value, Does.Contain("Windows-1258"));
    }

    [Test]
    public async Task More_than_20000_rows_are_refused()
    {
        var (_, staff) = await EmptyCongressAsync();
        var lines = new List<string> { VietnameseHeader };
        lines.AddRange(Enumerable.Range(1, 20_001).Select(i => Line($"X{i}", $"Đại biểu Số {i}")));

        var (_, report) = await ImportAsync(staff, Csv([.. lines]));

        Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(0, "", "too_many_rows", "20000") }));
    }

    [Test]
    public async Task Every_problem_in_a_file_is_listed_at_once()
    {
        var (_, staff) = await EmptyCongressAsync();
        var file = Csv(VietnameseHeader,
            Line("A001", ""), Line("A002", "Trần Văn Bình", gender: "?"), Line("A003", "Lê Văn Cường", year: "19x5"), Line("A002", "Phạm Văn Dũng"));

        var (_, report) = await ImportAsync(staff, file);

        Assert.That(report.Problems.Select(p => (p.Row, p.Code)), Is.EqualTo(new[]
        {
            (2, "required"), (3, "unknown_gender"), (4, "bad_birth_year"), (5, "duplicate_code"),
        }));
    }

    [Test]
    public async Task Re_importing_updates_by_code_and_reports_added_changed_and_unchanged_without_deleting()
    {
        var (_, staff) = await EmptyCongressAsync();
        await ImportAsync(staff, Csv(VietnameseHeader, Line("A001", "Nguyễn Văn An"), Line("A002", "Trần Văn Bình"), Line("A003", "Lê Văn Cường")));

        var (_, report) = await ImportAsync(staff, Csv(VietnameseHeader,
            Line("A001", "Nguyễn Văn An"), Line("A002", "Trần Văn Bình", position: "Trưởng đoàn"), Line("A004", "Đỗ Thị Hoa", gender: "Nữ")));

        var list = await ListAsync(staff);
        Assert.Multiple(() =>
        {
            Assert.That((report.Added, report.Changed, report.Unchanged), Is.EqualTo((1, 1, 1)));
            Assert.That(list.Total, Is.EqualTo(4), "A003 is not in the new file and is kept");
            Assert.That(list.Items.Single(d => d.Code == "A002").Position, Is.EqualTo("Trưởng đoàn"));
        });
    }

    [Test]
    public async Task Names_typed_decomposed_on_a_Mac_are_stored_composed()
    {
        var (_, staff) = await EmptyCongressAsync();
        string decomposed = "Nguyễn Thị Ánh".Normalize(NormalizationForm.FormD);

        await ImportAsync(staff, Csv(VietnameseHeader, Line("A001", decomposed, gender: "Nữ")));

        string stored = (await ListAsync(staff)).Items.Single().FullName;
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo("Nguyễn Thị Ánh"));
            Assert.That(stored.IsNormalized(NormalizationForm.FormC), Is.True);
        });
    }

    [Test]
    public async Task The_list_is_sorted_by_given_name_the_Vietnamese_way()
    {
        var (_, staff) = await EmptyCongressAsync();
        await ImportAsync(staff, Csv(VietnameseHeader,
            Line("1", "Trần Văn Yến"), Line("2", "Lê Thị Ánh", gender: "Nữ"), Line("3", "Nguyễn Văn An"), Line("4", "Phạm Văn Ân"),
            Line("5", "Bùi Văn Anh"), Line("6", "Đỗ Văn Đức"), Line("7", "Hồ Văn Dũng"), Line("8", "Vũ Văn An")));

        var names = (await ListAsync(staff)).Items.Select(d => d.FullName).ToList();

        Assert.That(names, Is.EqualTo(new[]
        {
            "Nguyễn Văn An", "Vũ Văn An", "Bùi Văn Anh", "Lê Thị Ánh", "Phạm Văn Ân", "Hồ Văn Dũng", "Đỗ Văn Đức", "Trần Văn Yến",
        }));
    }

    [TestCase("nguyen van an", "Nguyễn Văn An")]
    [TestCase("NGUYEN AN", "Nguyễn Văn An")]
    [TestCase("dang thi", "Đặng Thị Hương")]
    [TestCase("huong", "Đặng Thị Hương")]
    [TestCase("b002", "Đặng Thị Hương")]
    public async Task Search_ignores_diacritics_and_case(string query, string expected)
    {
        var (_, staff) = await EmptyCongressAsync();
        await ImportAsync(staff, Csv(VietnameseHeader, Line("B001", "Nguyễn Văn An"), Line("B002", "Đặng Thị Hương", gender: "Nữ"), Line("B003", "Trần Văn Bình")));

        var found = (await ListAsync(staff, query)).Items.Select(d => d.FullName);

        Assert.That(found, Is.EqualTo(new[] { expected }));
    }

    [Test, CancelAfter(120_000)]
    public async Task A_workbook_formatted_down_to_its_millionth_row_imports_its_few_delegates_and_names_their_rows()
    {
        var (_, staff) = await EmptyCongressAsync();
        string[][] filled =
        [
            VietnameseHeader.Split(';'),
            ["C001", "Nguyễn Văn An", "Quân khu 1", "Ủy viên", "Nam", "1980", "Chính thức"],
            ["C002", "Trần Thị Ánh", "Quân khu 2", "Ủy viên", "Nữ", "1985", "Chính thức"],
            ["C003", "", "Quân khu 3", "Ủy viên", "Nam", "1990", "Chính thức"],
        ];
        byte[] workbook = FormattedWorkbook(filled, formattedRows: 1_000_000);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (_, refused) = await ImportAsync(staff, workbook, "don-vi.xlsx");
        TestContext.Out.WriteLine($"{workbook.Length:N0} bytes, read and refused in {clock.ElapsedMilliseconds:N0} ms");
        var (_, report) = await ImportAsync(staff, FormattedWorkbook(filled[..3], formattedRows: 1_000_000), "don-vi.xlsx");

        var list = await ListAsync(staff);
        Assert.Multiple(() =>
        {
            Assert.That(workbook, Has.Length.GreaterThan(1_000_000), "a workbook of that many formatted rows is megabytes");
            Assert.That(refused.Problems.Select(p => (p.Row, p.Code)), Does.Contain((4, "required")), "the empty name is named by its row in the sheet");
            Assert.That(refused.Added, Is.Zero);
            Assert.That(report.Problems, Is.Empty);
            Assert.That(report.Added, Is.EqualTo(2));
            Assert.That(list.Items.Select(d => d.FullName), Is.EquivalentTo(new[] { "Nguyễn Văn An", "Trần Thị Ánh" }));
        });
    }

    /// <summary>
    /// An XLSX as a spreadsheet leaves it when a whole column was formatted: the rows with values, then every row
    /// down to <paramref name="formattedRows"/> present but empty.
    /// </summary>
    private static byte[] FormattedWorkbook(string[][] rows, int formattedRows)
    {
        using var stream = new MemoryStream();
        using (var document = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Create(stream, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook();
            var sheetPart = workbook.AddNewPart<DocumentFormat.OpenXml.Packaging.WorksheetPart>();
            using (var writer = DocumentFormat.OpenXml.OpenXmlWriter.Create(sheetPart))
            {
                writer.WriteStartElement(new DocumentFormat.OpenXml.Spreadsheet.Worksheet());
                writer.WriteStartElement(new DocumentFormat.OpenXml.Spreadsheet.SheetData());
                for (int r = 1; r <= formattedRows; r++)
                {
                    var row = new DocumentFormat.OpenXml.Spreadsheet.Row { RowIndex = (uint)r };
                    if (r <= rows.Length)
                    {
                        foreach (string value in rows[r - 1])
                        {
                            row.Append(new DocumentFormat.OpenXml.Spreadsheet.Cell
                            {
                                DataType = DocumentFormat.OpenXml.Spreadsheet.CellValues.InlineString,
                                InlineString = new DocumentFormat.OpenXml.Spreadsheet.InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(value)),
                            });
                        }
                    }

                    writer.WriteElement(row);
                }

                writer.WriteEndElement();
                writer.WriteEndElement();
            }

            workbook.Workbook.AppendChild(new DocumentFormat.OpenXml.Spreadsheet.Sheets(new DocumentFormat.OpenXml.Spreadsheet.Sheet
            {
                Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Danh sách",
            }));
        }

        return stream.ToArray();
    }

    [TestCase("csv")]
    [TestCase("xlsx")]
    public async Task Exporting_and_importing_again_leaves_the_registry_unchanged(string format)
    {
        var (_, staff) = await EmptyCongressAsync();
        await ImportAsync(staff, Csv(VietnameseHeader,
            Line("A001", "Nguyễn Văn An"), Line("A002", "Trần Thị Ánh", gender: "Nữ", year: ""), Line("0042", "Lê Văn Cường", "Quân chủng Phòng không – Không quân", kind: "Dự khuyết")));
        var before = (await ListAsync(staff)).Items.OrderBy(d => d.Code, StringComparer.Ordinal).ToList();

        byte[] exported = await staff.GetByteArrayAsync($"/api/delegates/export?format={format}");
        var (_, report) = await ImportAsync(staff, exported, $"export.{format}");

        var after = (await ListAsync(staff)).Items.OrderBy(d => d.Code, StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(report.Problems, Is.Empty);
            Assert.That((report.Added, report.Changed, report.Unchanged), Is.EqualTo((0, 0, 3)));
            Assert.That(after, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Removing_a_delegate_is_refused_once_they_have_voted()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var poll = await _server.OpenPollAsync(access);
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<CastResult>(
                hub, nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        await ImportAsync(staff, Csv(VietnameseHeader, Line("Z999", "Người Nhập Nhầm")));
        var list = await ListAsync(staff);
        var voter = list.Items.Single(d => d.Code == access.Delegates[0].Code);
        var onRoll = list.Items.Single(d => d.Code == access.Delegates[1].Code);
        var mistake = list.Items.Single(d => d.Code == "Z999");

        using var refused = await staff.DeleteAsync($"/api/delegates/{voter.Id}");
        using var kept = await staff.DeleteAsync($"/api/delegates/{onRoll.Id}");
        using var removed = await staff.DeleteAsync($"/api/delegates/{mistake.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("delegate_has_voted"));
            Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "the roll of an opened vote is a record");
            Assert.That(await kept.Content.ReadAsStringAsync(), Does.Contain("delegate_in_roll"));
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That((await ListAsync(staff)).Total, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_delegate_added_by_hand_follows_the_import_rules()
    {
        var (_, staff) = await EmptyCongressAsync();

        using var bad = await staff.PostAsync("/api/delegates", System.Net.Http.Json.JsonContent.Create(
            new DelegateEditDto("C1", "Ngô\u0007 Văn Lâm", "Quân khu 9", null, null, Gender.Male, 1990, DelegateKind.Official, null, null), options: TestJson.Options));
        using var good = await staff.PostAsync("/api/delegates", System.Net.Http.Json.JsonContent.Create(
            new DelegateEditDto("C1", "Ngô Văn Lâm", "Quân khu 9", "Ủy viên", null, Gender.Male, 1990, DelegateKind.Official, "A-12", null), options: TestJson.Options));

        var list = await ListAsync(staff);
        Assert.Multiple(async () =>
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("control_characters"));
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(list.Items.Single().Seat, Is.EqualTo("A-12"));
        });
    }

    // ---- merging a list into a registry that already holds delegates ------------------------------------------

    /// <summary>The report's changes as plain values, one line per added delegate or changed field.</summary>
    private static List<(string, string, string?, string?, string?)> Lines(ImportReportDto report) =>
        report.Changes!.Select(c => (c.Code, c.FullName, c.Field, c.Old, c.New)).ToList();

    private const string FullHeader = "Mã đại biểu;Họ và tên;Đoàn;Chức vụ;Cấp bậc;Giới tính;Năm sinh;Loại đại biểu;Ghế;Ghi chú";

    private static readonly byte[] s_fullList = Csv(FullHeader,
        "M01;Nguyễn Văn An;Quân khu 1;Trưởng đoàn;Đại tá;Nam;1970;Chính thức;A-01;Ăn chay",
        "M02;Trần Thị Bích;Quân khu 1;Ủy viên;Thượng tá;Nữ;1978;Chính thức;A-02;");

    private async Task<(DemoAccess Access, HttpClient Staff, List<Stored> Before)> RegistryWithFullListAsync()
    {
        var (access, staff) = await EmptyCongressAsync();
        var (response, _) = await ImportAsync(staff, s_fullList);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the first list imports");
        return (access, staff, await StoredAsync(_server.Db, access.CongressId));
    }

    [Test]
    public async Task A_list_without_the_optional_columns_changes_only_its_own_columns_and_reports_each_change()
    {
        var (access, staff, before) = await RegistryWithFullListAsync();

        var (response, report) = await ImportAsync(staff, Csv("Mã đại biểu;Họ và tên;Đoàn;Giới tính;Loại đại biểu",
            "M01;Nguyễn Văn Ân;Quân khu 1;Nam;Chính thức", "M02;Trần Thị Bích;Quân khu 1;Nữ;Chính thức"));

        var after = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(before[0], Is.EqualTo(new Stored("M01", "Nguyễn Văn An", "Quân khu 1", "Trưởng đoàn", "Đại tá", "male", 1970, "official", "A-01", "Ăn chay")));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after[0], Is.EqualTo(before[0] with { FullName = "Nguyễn Văn Ân" }), "position, rank, birth year, seat and notes are kept");
            Assert.That(after[1], Is.EqualTo(before[1]));
            Assert.That((report.Added, report.Changed, report.Unchanged), Is.EqualTo((0, 1, 1)));
            Assert.That(Lines(report), Is.EqualTo(new[] { ("M01", "Nguyễn Văn An", "FullName", "Nguyễn Văn An", "Nguyễn Văn Ân") }));
        });
    }

    [Test]
    public async Task A_seat_and_notes_typed_in_the_console_survive_importing_the_original_list_again()
    {
        var (access, staff) = await EmptyCongressAsync();
        var original = Csv(VietnameseHeader, Line("K01", "Nguyễn Văn An"), Line("K02", "Lê Thị Cúc", gender: "Nữ"));
        await ImportAsync(staff, original);
        var k01 = (await ListAsync(staff)).Items.Single(d => d.Code == "K01");
        using var edited = await staff.PutAsync($"/api/delegates/{k01.Id}", System.Net.Http.Json.JsonContent.Create(
            new DelegateEditDto("K01", k01.FullName, k01.Delegation, k01.Position, null, k01.Gender, k01.BirthYear, k01.Kind, "B-17", "Cần xe lăn"), options: TestJson.Options));
        var before = await StoredAsync(_server.Db, access.CongressId);

        var (_, report) = await ImportAsync(staff, original);

        var after = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(edited.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((before[0].Seat, before[0].Notes), Is.EqualTo(("B-17", "Cần xe lăn")), "the console's edit is stored");
            Assert.That(after, Is.EqualTo(before), "the list has no seat or notes column, so they stay");
            Assert.That((report.Added, report.Changed, report.Unchanged), Is.EqualTo((0, 0, 2)));
            Assert.That(report.Changes, Is.Empty);
        });
    }

    [Test]
    public async Task An_empty_cell_keeps_the_stored_value_and_the_clear_marker_empties_it()
    {
        var (access, staff, before) = await RegistryWithFullListAsync();

        var (_, report) = await ImportAsync(staff, Csv("Mã đại biểu;Họ và tên;Đoàn;Giới tính;Loại đại biểu;Ghế;Ghi chú;Năm sinh",
            "M01;Nguyễn Văn An;Quân khu 1;Nam;Chính thức;(xóa);;(XOÁ)", "M02;Trần Thị Bích;Quân khu 1;Nữ;Chính thức;;(clear);"));

        var after = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(after[0], Is.EqualTo(before[0] with { Seat = null, BirthYear = null }));
            Assert.That(after[1], Is.EqualTo(before[1]), "M02 has no notes to clear and an empty seat cell");
            Assert.That(Lines(report), Is.EqualTo(new (string, string, string?, string?, string?)[]
            {
                ("M01", "Nguyễn Văn An", "BirthYear", "1970", null), ("M01", "Nguyễn Văn An", "Seat", "A-01", null),
            }));
        });
    }

    [Test]
    public async Task Columns_a_unit_adds_of_its_own_are_ignored_with_a_warning_naming_them()
    {
        var (access, staff) = await EmptyCongressAsync();
        var before = await StoredAsync(_server.Db, access.CongressId);

        var (response, report) = await ImportAsync(staff, Csv("STT;Mã đại biểu;Họ và tên;Ngày sinh;Dân tộc;Đoàn;Giới tính;Số điện thoại;Loại đại biểu",
            "1;U01;Hoàng Văn Sơn;12/03/1980;Tày;Quân khu 2;Nam;0912345678;Chính thức"));

        var after = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Empty);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(report.Warnings!.Select(w => (w.Code, w.Column)), Is.EqualTo(new[]
            {
                ("ignored_column", "Ngày sinh"), ("ignored_column", "Dân tộc"), ("ignored_column", "Số điện thoại"),
            }));
            Assert.That(after, Is.EqualTo(new[] { new Stored("U01", "Hoàng Văn Sơn", "Quân khu 2", null, null, "male", null, "official", null, null) }));
        });
    }

    [TestCase("Họ và tên đệm", "Tên")]
    [TestCase("Họ và đệm", "Tên")]
    [TestCase("Họ", "Tên")]
    [TestCase("Family/middle name", "Given name")]
    public async Task A_list_with_the_name_split_in_two_columns_stores_the_full_name(string familyHeader, string givenHeader)
    {
        var (access, staff) = await EmptyCongressAsync();

        var (response, report) = await ImportAsync(staff, Csv($"Mã đại biểu;{familyHeader};{givenHeader};Đoàn;Giới tính;Loại đại biểu",
            "S01;Nguyễn Thị Minh;Khai;Quân khu 3;Nữ;Chính thức", "S02; Tôn Thất ;Thuyết;Quân khu 3;Nam;Chính thức"));

        var stored = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => string.Join(", ", report.Problems));
            Assert.That(stored.Select(d => d.FullName), Is.EqualTo(new[] { "Nguyễn Thị Minh Khai", "Tôn Thất Thuyết" }));
        });
    }

    [Test]
    public async Task A_split_name_row_without_the_given_name_is_refused_naming_that_column()
    {
        var (access, staff) = await EmptyCongressAsync();

        var (_, report) = await ImportAsync(staff, Csv("Mã đại biểu;Họ và tên đệm;Tên;Đoàn;Giới tính;Loại đại biểu", "S01;Nguyễn Thị;;Quân khu 3;Nữ;Chính thức"));

        Assert.Multiple(async () =>
        {
            Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(2, "Tên", "required", null) }));
            Assert.That(await StoredAsync(_server.Db, access.CongressId), Is.Empty);
        });
    }

    [Test]
    public async Task A_file_with_headers_only_says_nothing_was_imported_and_changes_nothing()
    {
        var (access, staff, before) = await RegistryWithFullListAsync();

        var (response, report) = await ImportAsync(staff, Csv(FullHeader));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(report.Imported, Is.False);
            Assert.That(report.Problems, Is.EqualTo(new[] { new ImportProblemDto(0, "", "no_rows", null) }));
            Assert.That(await StoredAsync(_server.Db, access.CongressId), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task A_preview_writes_nothing_and_shows_what_the_import_would_change()
    {
        var (access, staff, before) = await RegistryWithFullListAsync();
        const string Tables = "SELECT (SELECT count(*) FROM delegate WHERE congress_id = $1) + (SELECT count(*) FROM delegation WHERE congress_id = $1) * 1000 + (SELECT count(*) FROM audit_event WHERE congress_id = $1) * 1000000";
        long countsBefore = await _server.CountAsync(Tables, access.CongressId);
        var file = Csv("Mã đại biểu;Họ và tên;Đoàn;Giới tính;Loại đại biểu;Ghế",
            "M01;Nguyễn Văn An;Quân khu 1;Nam;Chính thức;C-09", "M02;Trần Thị Bích;Quân khu 1;Nữ;Chính thức;", "M03;Vũ Đình Long;Quân khu 4;Nam;Khách mời;");

        var (response, report) = await ImportAsync(staff, file, query: "?preview=true");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((report.Imported, report.Added, report.Changed, report.Unchanged), Is.EqualTo((false, 1, 1, 1)));
            Assert.That(Lines(report), Is.EqualTo(new (string, string, string?, string?, string?)[]
            {
                ("M01", "Nguyễn Văn An", "Seat", "A-01", "C-09"), ("M03", "Vũ Đình Long", null, null, null),
            }));
            Assert.That(report.Plan, Is.Not.Null.And.Not.Empty);
            Assert.That(await StoredAsync(_server.Db, access.CongressId), Is.EqualTo(before), "no delegate written");
            Assert.That(await _server.CountAsync(Tables, access.CongressId), Is.EqualTo(countsBefore), "no delegate, delegation or audit row added");
        });

        var (confirmed, applied) = await ImportAsync(staff, file, query: "?plan=" + report.Plan);

        var after = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((applied.Imported, applied.Added, applied.Changed), Is.EqualTo((true, 1, 1)));
            Assert.That(after.Select(d => (d.Code, d.Seat)), Is.EqualTo(new[] { ("M01", "C-09"), ("M02", (string?)"A-02"), ("M03", null) }));
        });
    }

    [Test]
    public async Task A_confirmation_after_someone_changed_the_registry_writes_nothing_and_shows_a_fresh_preview()
    {
        var (access, staff, _) = await RegistryWithFullListAsync();
        var file = Csv("Mã đại biểu;Họ và tên;Đoàn;Giới tính;Loại đại biểu;Ghế", "M01;Nguyễn Văn An;Quân khu 1;Nam;Chính thức;C-09");
        var (_, preview) = await ImportAsync(staff, file, query: "?preview=true");
        var m01 = (await ListAsync(staff)).Items.Single(d => d.Code == "M01");
        using var edited = await staff.PutAsync($"/api/delegates/{m01.Id}", System.Net.Http.Json.JsonContent.Create(
            new DelegateEditDto("M01", m01.FullName, m01.Delegation, m01.Position, m01.Rank, m01.Gender, m01.BirthYear, m01.Kind, "C-09", m01.Notes), options: TestJson.Options));
        var before = await StoredAsync(_server.Db, access.CongressId);

        var (response, report) = await ImportAsync(staff, file, query: "?plan=" + preview.Plan);

        Assert.Multiple(async () =>
        {
            Assert.That(edited.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(report.Problems.Single().Code, Is.EqualTo("preview_outdated"));
            Assert.That((report.Changed, report.Unchanged), Is.EqualTo((0, 1)), "the fresh preview: the seat is already C-09");
            Assert.That(report.Changes, Is.Empty);
            Assert.That(report.Plan, Is.Not.EqualTo(preview.Plan));
            Assert.That(await StoredAsync(_server.Db, access.CongressId), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task A_column_the_import_does_not_know_is_read_as_the_field_the_person_assigns_to_it()
    {
        var (access, staff) = await EmptyCongressAsync();
        var file = Csv("Mã đại biểu;Họ tên đại biểu;Đoàn;Chức danh;Giới tính;Loại đại biểu", "N01;Phùng Văn Khoa;Quân khu 7;Chính ủy;Nam;Chính thức");

        var (_, unmapped) = await ImportAsync(staff, file, query: "?preview=true");
        var (response, report) = await ImportAsync(staff, file,
            query: $"?map={Uri.EscapeDataString("Họ tên đại biểu=FullName")}&map={Uri.EscapeDataString("Chức danh=Position")}");

        var stored = await StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(unmapped.Problems, Is.EqualTo(new[] { new ImportProblemDto(1, "Họ và tên", "missing_column", null) }));
            Assert.That(unmapped.Warnings!.Select(w => w.Column), Is.EqualTo(new[] { "Họ tên đại biểu", "Chức danh" }));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(report.Warnings, Is.Empty);
            Assert.That(stored, Is.EqualTo(new[] { new Stored("N01", "Phùng Văn Khoa", "Quân khu 7", "Chính ủy", null, "male", null, "official", null, null) }));
        });
    }
}
