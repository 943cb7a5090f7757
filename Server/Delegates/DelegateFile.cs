using System.Globalization;
using System.Text;
using CongressVote.Shared;

namespace CongressVote.Server.Delegates;

/// <summary>
/// A validated row of a delegate list, normalised (NFC, trimmed), ready to store. <see cref="Given"/> holds the
/// fields the row sets: a column the file lacks, or an empty cell, leaves a stored delegate's value as it is.
/// </summary>
public sealed record DelegateRow(
    int Row, string Code, string FullName, string Delegation, string? Position, string? Rank,
    Gender? Gender, int? BirthYear, DelegateKind Kind, string? Seat, string? Notes, IReadOnlySet<DelegateFile.Field> Given);

/// <summary>
/// Reads a delegate list as the units send it: CSV (UTF-8 with or without BOM, comma, semicolon or tab, as
/// Excel writes it) or XLSX, headers in Vietnamese or English in any order. Every problem is collected, with
/// its row and column, so the secretariat can fix the file in one pass.
/// </summary>
public static class DelegateFile
{
    public const int MaxRows = TableFile.MaxRows;

    public enum Field
    {
        Code,
        FullName,
        Delegation,
        Position,
        Rank,
        Gender,
        BirthYear,
        Kind,
        Seat,
        Notes,

        /// <summary>Lists that split the name: "Họ và tên đệm" (family and middle names), joined with the given name.</summary>
        FamilyNames,
        GivenName,
    }

    /// <summary>
    /// The cell a secretariat types to empty a stored value on purpose, e.g. a seat given back: "(xóa)" or
    /// "(clear)". An empty cell keeps what is stored, so a list that leaves a column blank erases nothing.
    /// </summary>
    public static bool IsClear(string text) =>
        text is ['(', .., ')'] && Fold(text) is "xoa" or "clear";

    /// <summary>
    /// The first control character in a value, as "U+0007;12" (code point; position from 1), or null: invisible
    /// on screen, so a problem names it by its code and where it is.
    /// </summary>
    public static string? ControlCharacter(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int at = Array.FindIndex(value.ToCharArray(), char.IsControl);
        return at < 0 ? null : string.Create(CultureInfo.InvariantCulture, $"U+{(int)value[at]:X4};{at + 1}");
    }

    /// <summary>Accepted headers, compared without diacritics, case or punctuation.</summary>
    private static readonly Dictionary<string, Field> s_headers = new(StringComparer.Ordinal)
    {
        ["ma dai bieu"] = Field.Code, ["ma"] = Field.Code, ["ma so"] = Field.Code, ["so the"] = Field.Code,
        ["code"] = Field.Code, ["delegate code"] = Field.Code, ["id"] = Field.Code, ["delegate id"] = Field.Code,
        ["ho va ten"] = Field.FullName, ["ho ten"] = Field.FullName, ["ten"] = Field.FullName, ["ten dai bieu"] = Field.FullName,
        ["full name"] = Field.FullName, ["name"] = Field.FullName, ["fullname"] = Field.FullName,
        ["doan"] = Field.Delegation, ["doan dai bieu"] = Field.Delegation, ["don vi"] = Field.Delegation, ["doan don vi"] = Field.Delegation,
        ["delegation"] = Field.Delegation, ["unit"] = Field.Delegation, ["delegation unit"] = Field.Delegation,
        ["chuc vu"] = Field.Position, ["position"] = Field.Position, ["title"] = Field.Position,
        ["cap bac"] = Field.Rank, ["quan ham"] = Field.Rank, ["rank"] = Field.Rank,
        ["gioi tinh"] = Field.Gender, ["gender"] = Field.Gender, ["sex"] = Field.Gender,
        ["nam sinh"] = Field.BirthYear, ["birth year"] = Field.BirthYear, ["year of birth"] = Field.BirthYear,
        ["loai dai bieu"] = Field.Kind, ["loai"] = Field.Kind, ["delegate type"] = Field.Kind, ["type"] = Field.Kind,
        ["ghe"] = Field.Seat, ["so ghe"] = Field.Seat, ["cho ngoi"] = Field.Seat, ["seat"] = Field.Seat,
        ["ghi chu"] = Field.Notes, ["notes"] = Field.Notes, ["note"] = Field.Notes,
        // "Tên" alone is taken as the full name (older lists); beside one of these it is the given name.
        ["ho va ten dem"] = Field.FamilyNames, ["ho va dem"] = Field.FamilyNames, ["ho dem"] = Field.FamilyNames,
        ["ho"] = Field.FamilyNames, ["ho va ten lot"] = Field.FamilyNames, ["ho lot"] = Field.FamilyNames,
        ["ho va chu dem"] = Field.FamilyNames, ["family middle name"] = Field.FamilyNames,
        ["family and middle name"] = Field.FamilyNames, ["family and middle names"] = Field.FamilyNames,
        ["family name"] = Field.FamilyNames, ["surname"] = Field.FamilyNames, ["last name"] = Field.FamilyNames,
        ["given name"] = Field.GivenName, ["first name"] = Field.GivenName, ["ten goi"] = Field.GivenName,
    };

    public static readonly Field[] RequiredColumns = [Field.Code, Field.FullName, Field.Delegation, Field.Gender, Field.Kind];

    /// <summary>The headers an export writes, so that an exported file imports back unchanged.</summary>
    public static readonly (Field Field, string Header)[] ExportHeaders =
    [
        (Field.Code, "Mã đại biểu"), (Field.FullName, "Họ và tên"), (Field.Delegation, "Đoàn"), (Field.Position, "Chức vụ"),
        (Field.Rank, "Cấp bậc"), (Field.Gender, "Giới tính"), (Field.BirthYear, "Năm sinh"), (Field.Kind, "Loại đại biểu"),
        (Field.Seat, "Ghế"), (Field.Notes, "Ghi chú"),
    ];

    /// <summary>Rows only when there are no problems; warnings (ignored columns) never stop an import.</summary>
    public sealed record Result(IReadOnlyList<DelegateRow> Rows, IReadOnlyList<ImportProblemDto> Problems, IReadOnlyList<ImportProblemDto> Warnings);

    /// <summary>
    /// Reads and validates a list. <c>mapping</c> holds the columns the person assigned to a field, by their header
    /// as the file writes it, for headers the import does not know ("Chức danh" as the position).
    /// </summary>
    public static Result Read(string fileName, byte[] content, IReadOnlyDictionary<string, Field>? mapping = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var problems = new List<ImportProblemDto>();
        var table = TableFile.Read(fileName ?? "", content, problems);
        if (table is null)
        {
            return new Result([], problems, []);
        }

        return Validate(table, problems, mapping ?? new Dictionary<string, Field>());
    }

    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (char c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            char lower = char.ToLowerInvariant(c is 'đ' or 'Đ' ? 'd' : c);
            builder.Append(char.IsLetterOrDigit(lower) ? lower : ' ');
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    public static string GenderText(Gender gender) => gender switch
    {
        Gender.Female => "Nữ",
        Gender.Male => "Nam",
        _ => "Khác",
    };

    public static string KindText(DelegateKind kind) => kind switch
    {
        DelegateKind.Official => "Chính thức",
        DelegateKind.Alternate => "Dự khuyết",
        _ => "Khách mời",
    };

    // ---- validating the rows ------------------------------------------------------------------------------

    private static Result Validate(List<(int Row, string[] Cells)> table, List<ImportProblemDto> problems, IReadOnlyDictionary<string, Field> mapping)
    {
        // The header is the first row with anything in it; blank rows are skipped, as Excel users expect.
        var nonEmpty = table.Where(r => r.Cells.Any(c => !string.IsNullOrWhiteSpace(c))).ToList();
        if (nonEmpty.Count == 0)
        {
            problems.Add(new ImportProblemDto(0, "", "file_empty", null));
            return new Result([], problems, []);
        }

        var (headerRow, headerCells) = nonEmpty[0];
        var warnings = new List<ImportProblemDto>();
        bool split = headerCells.Any(h => s_headers.GetValueOrDefault(Fold(h)) == Field.FamilyNames || mapping.GetValueOrDefault(h.Trim()) == Field.FamilyNames);
        var columns = new Dictionary<Field, (int Index, string Header)>();
        for (int i = 0; i < headerCells.Length; i++)
        {
            string header = headerCells[i].Trim();
            string folded = Fold(header);
            if (header.Length == 0 || folded is "stt" or "tt" or "so tt" or "no" or "#")
            {
                // An untitled column, or the running number Vietnamese lists start with: not data.
                continue;
            }

            Field? known = split && folded == "ten" ? Field.GivenName
                : s_headers.TryGetValue(folded, out var named) ? named
                : mapping.TryGetValue(header, out var assigned) ? assigned
                : null;
            if (known is not { } field)
            {
                // Units add columns of their own (date of birth, ethnicity, phone): read past them, and say so.
                warnings.Add(new ImportProblemDto(headerRow, header, "ignored_column", header));
            }
            else if (columns.TryGetValue(field, out var first))
            {
                problems.Add(new ImportProblemDto(headerRow, header, "duplicate_column", first.Header));
            }
            else
            {
                columns[field] = (i, header);
            }
        }

        bool hasFamily = columns.TryGetValue(Field.FamilyNames, out var family);
        bool hasGiven = columns.TryGetValue(Field.GivenName, out var given);
        if ((hasFamily || hasGiven) && columns.TryGetValue(Field.FullName, out var full))
        {
            problems.Add(new ImportProblemDto(headerRow, hasFamily ? family.Header : given.Header, "duplicate_column", full.Header));
        }
        else if (hasFamily != hasGiven)
        {
            problems.Add(new ImportProblemDto(headerRow, hasFamily ? "Tên" : "Họ và tên đệm", "missing_column", null));
        }

        foreach (var required in RequiredColumns.Where(f => !columns.ContainsKey(f) && !(f == Field.FullName && (hasFamily || hasGiven))))
        {
            problems.Add(new ImportProblemDto(headerRow, ExportHeaders.First(h => h.Field == required).Header, "missing_column", null));
        }

        var dataRows = nonEmpty.Skip(1).ToList();
        if (dataRows.Count == 0)
        {
            // Headers alone: a list saved before it was filled in. Saying "0 imported" in green would hide that.
            problems.Add(new ImportProblemDto(0, "", "no_rows", null));
        }

        if (dataRows.Count > MaxRows)
        {
            problems.Add(new ImportProblemDto(0, "", "too_many_rows", MaxRows.ToString(CultureInfo.InvariantCulture)));
        }

        if (problems.Count > 0)
        {
            return new Result([], problems, warnings);
        }

        string fullNameHeader = hasFamily ? $"{family.Header} + {given.Header}" : columns[Field.FullName].Header;
        var rows = new List<DelegateRow>(dataRows.Count);
        var codes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rowNumber, cells) in dataRows)
        {
            string? Cell(Field field)
            {
                if (field == Field.FullName && hasFamily)
                {
                    return $"{Cell(Field.FamilyNames)} {Cell(Field.GivenName)}".Trim();
                }

                return columns.TryGetValue(field, out var column) ? column.Index < cells.Length ? Clean(cells[column.Index]) : "" : null;
            }

            void Problem(Field field, string code, string? value) =>
                problems.Add(new ImportProblemDto(rowNumber, field == Field.FullName ? fullNameHeader : columns.TryGetValue(field, out var c) ? c.Header : field.ToString(), code, value));

            if (hasGiven && Cell(Field.GivenName) is "" && Cell(Field.FamilyNames) is not "")
            {
                // Every name has a given name; the family part alone is half a name.
                Problem(Field.GivenName, "required", null);
            }

            var rowProblems = new List<(Field, string, string?)>();
            var row = ParseRow(rowNumber, Cell, emptyClears: false, rowProblems);
            foreach (var (field, problemCode, value) in rowProblems)
            {
                Problem(field, problemCode, value);
            }

            // Duplicates are found even among rows with other problems, so one pass shows everything.
            string code = Cell(Field.Code) ?? "";
            if (code.Length > 0 && codes.TryGetValue(code, out int firstRow))
            {
                Problem(Field.Code, "duplicate_code", $"{code} ({firstRow})");
                continue;
            }

            if (code.Length > 0)
            {
                codes[code] = rowNumber;
            }

            if (row is not null)
            {
                rows.Add(row);
            }
        }

        return new Result(problems.Count == 0 ? rows : [], problems, warnings);
    }

    /// <summary>
    /// The rules of one row, shared by the import and the add/edit form. <paramref name="cell"/> answers null for a
    /// column the file does not have. An empty cell keeps the stored value unless <paramref name="emptyClears"/>
    /// (the form, where every field is shown and an emptied field is meant); the clear marker always empties.
    /// </summary>
    public static DelegateRow? ParseRow(int rowNumber, Func<Field, string?> cell, bool emptyClears, List<(Field Field, string Code, string? Value)> problems)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(problems);
        int before = problems.Count;
        var given = new HashSet<Field> { Field.Code, Field.FullName, Field.Delegation, Field.Gender, Field.Kind };
        string? Optional(Field field)
        {
            string? text = cell(field);
            if (text is null || (text.Length == 0 && !emptyClears))
            {
                return null;
            }

            given.Add(field);
            return text.Length == 0 || IsClear(text) ? null : text;
        }

        string code = cell(Field.Code) ?? "";
        string fullName = string.Join(' ', (cell(Field.FullName) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // "Quân khu  1" and "Quân khu 1" are the same delegation; spaces are collapsed here, case in the registry.
        string delegation = string.Join(' ', (cell(Field.Delegation) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));

        foreach (var (field, value) in new[] { (Field.Code, code), (Field.FullName, fullName), (Field.Delegation, delegation) })
        {
            if (value.Length == 0 || IsClear(value))
            {
                problems.Add((field, "required", null));
            }
        }

        if (code.Length > 32 || code.Any(char.IsWhiteSpace))
        {
            problems.Add((Field.Code, "bad_code", code));
        }

        foreach (var field in new[] { Field.FullName, Field.Delegation, Field.Position, Field.Rank, Field.Seat, Field.Notes })
        {
            string raw = cell(field) ?? "";
            if (ControlCharacter(raw) is { } control)
            {
                problems.Add((field, "control_characters", control));
            }
            else if (raw.Length > (field == Field.Notes ? 1000 : 200))
            {
                problems.Add((field, "too_long", raw[..40] + "…"));
            }
        }

        Gender? gender = null;
        string genderText = cell(Field.Gender) ?? "";
        if (genderText.Length == 0 || IsClear(genderText))
        {
            problems.Add((Field.Gender, "required", null));
        }
        else
        {
            gender = Fold(genderText) switch
            {
                "nu" or "female" or "f" or "woman" => Shared.Gender.Female,
                "nam" or "male" or "m" or "man" => Shared.Gender.Male,
                "khac" or "other" => Shared.Gender.Other,
                _ => null,
            };
            if (gender is null)
            {
                problems.Add((Field.Gender, "unknown_gender", genderText));
            }
        }

        DelegateKind? kind = null;
        string kindText = cell(Field.Kind) ?? "";
        if (kindText.Length == 0 || IsClear(kindText))
        {
            problems.Add((Field.Kind, "required", null));
        }
        else
        {
            kind = Fold(kindText) switch
            {
                "chinh thuc" or "dai bieu chinh thuc" or "ct" or "official" => DelegateKind.Official,
                "du khuyet" or "dai bieu du khuyet" or "dk" or "alternate" => DelegateKind.Alternate,
                "khach moi" or "khach" or "km" or "guest" or "invited guest" => DelegateKind.Guest,
                _ => null,
            };
            if (kind is null)
            {
                problems.Add((Field.Kind, "unknown_type", kindText));
            }
        }

        int? birthYear = null;
        if (Optional(Field.BirthYear) is { } yearText)
        {
            // Excel may store the year as "1985" or "1985.0".
            if (decimal.TryParse(yearText, NumberStyles.Number, CultureInfo.InvariantCulture, out decimal year)
                && year == Math.Floor(year) && year >= 1900 && year <= DateTime.UtcNow.Year)
            {
                birthYear = (int)year;
            }
            else
            {
                problems.Add((Field.BirthYear, "bad_birth_year", yearText));
            }
        }

        var row = new DelegateRow(rowNumber, code, fullName, delegation, Optional(Field.Position), Optional(Field.Rank),
            gender, birthYear, kind ?? default, Optional(Field.Seat), Optional(Field.Notes), given);
        return problems.Count > before ? null : row;
    }

    /// <summary>NFC (lists typed on a Mac arrive decomposed), trimmed; control characters are kept for validation to name.</summary>
    private static string Clean(string value)
    {
        string clean = value.Normalize(NormalizationForm.FormC).Trim(' ', '\u00A0', '\r', '\n');
        // The export guards cells that a spreadsheet would run as a formula with an apostrophe; take it off again.
        return clean.Length > 1 && clean[0] == '\'' && clean[1] is '=' or '+' or '-' or '@' ? clean[1..] : clean;
    }
}
