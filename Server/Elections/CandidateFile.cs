using System.Globalization;
using System.Text;
using CongressVote.Server.Delegates;
using CongressVote.Shared;

namespace CongressVote.Server.Elections;

/// <summary>
/// A candidate list from CSV or XLSX, in the order of the rows: the order the ballot prints. The same reader and
/// the same kind of report as the delegate import: every problem with its row and column, nothing taken if any.
/// </summary>
public static class CandidateFile
{
    public const int MaxCandidates = 500;

    private enum Field
    {
        FullName,
        BirthYear,
        JobTitle,
        Unit,
    }

    private static readonly Dictionary<string, Field> s_headers = new(StringComparer.Ordinal)
    {
        ["ho va ten"] = Field.FullName, ["ho ten"] = Field.FullName, ["ten"] = Field.FullName, ["ung cu vien"] = Field.FullName,
        ["ten ung cu vien"] = Field.FullName, ["full name"] = Field.FullName, ["name"] = Field.FullName, ["candidate"] = Field.FullName,
        ["nam sinh"] = Field.BirthYear, ["birth year"] = Field.BirthYear, ["year of birth"] = Field.BirthYear, ["born"] = Field.BirthYear,
        ["chuc vu"] = Field.JobTitle, ["position"] = Field.JobTitle, ["job title"] = Field.JobTitle, ["title"] = Field.JobTitle,
        ["don vi"] = Field.Unit, ["don vi cong tac"] = Field.Unit, ["noi cong tac"] = Field.Unit, ["unit"] = Field.Unit,
        ["organisation"] = Field.Unit, ["organization"] = Field.Unit,
    };

    public sealed record Result(IReadOnlyList<CandidateEditDto> Candidates, IReadOnlyList<ImportProblemDto> Problems);

    public static Result Read(string fileName, byte[] content)
    {
        var problems = new List<ImportProblemDto>();
        var table = TableFile.Read(fileName, content, problems);
        if (table is null)
        {
            return new Result([], problems);
        }

        var rows = table.Where(r => r.Cells.Any(c => !string.IsNullOrWhiteSpace(c))).ToList();
        if (rows.Count == 0)
        {
            return new Result([], [new ImportProblemDto(0, "", "file_empty", fileName)]);
        }

        var (headerRow, headerCells) = rows[0];
        var columns = new Dictionary<Field, (int Index, string Header)>();
        for (int i = 0; i < headerCells.Length; i++)
        {
            string header = headerCells[i].Trim();
            string folded = DelegateFile.Fold(header);
            if (header.Length == 0 || folded is "stt" or "tt" or "so tt" or "no" or "#")
            {
                continue; // the running number lists start with is the order, which the rows already give
            }

            if (!s_headers.TryGetValue(folded, out var field))
            {
                problems.Add(new ImportProblemDto(headerRow, header, "unknown_column", header));
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

        if (!columns.ContainsKey(Field.FullName))
        {
            problems.Add(new ImportProblemDto(headerRow, "Họ và tên / Full name", "missing_column", null));
        }

        if (rows.Count - 1 > MaxCandidates)
        {
            problems.Add(new ImportProblemDto(0, "", "too_many_rows", MaxCandidates.ToString(CultureInfo.InvariantCulture)));
        }

        if (problems.Count > 0)
        {
            return new Result([], problems);
        }

        var candidates = new List<CandidateEditDto>();
        foreach (var (rowNumber, cells) in rows.Skip(1))
        {
            string Cell(Field f) => columns.TryGetValue(f, out var c) && c.Index < cells.Length ? cells[c.Index].Trim() : "";
            string Header(Field f) => columns.TryGetValue(f, out var c) ? c.Header : f.ToString();
            var rowProblems = Validate(Cell(Field.FullName), Cell(Field.BirthYear), Cell(Field.JobTitle), Cell(Field.Unit), out var candidate);
            problems.AddRange(rowProblems.Select(p => new ImportProblemDto(rowNumber, Header(p.Field), p.Code, p.Value)));
            if (candidate is not null)
            {
                candidates.Add(candidate);
            }
        }

        if (candidates.Count == 0 && problems.Count == 0)
        {
            problems.Add(new ImportProblemDto(0, "", "file_empty", fileName));
        }

        return problems.Count > 0 ? new Result([], problems) : new Result(candidates, []);
    }

    /// <summary>The rules for one candidate, shared by the file and the form: a name, a plausible year, short plain text.</summary>
    public static IReadOnlyList<ImportProblemDto> Validate(CandidateEditDto edit, int row)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var problems = Validate(edit.FullName ?? "", edit.BirthYear?.ToString(CultureInfo.InvariantCulture) ?? "", edit.JobTitle ?? "", edit.Unit ?? "", out _);
        return problems.Select(p => new ImportProblemDto(row, p.Field.ToString(), p.Code, p.Value)).ToList();
    }

    private static List<(Field Field, string Code, string? Value)> Validate(string name, string year, string jobTitle, string unit, out CandidateEditDto? candidate)
    {
        var problems = new List<(Field, string, string?)>();
        name = Clean(name);
        jobTitle = Clean(jobTitle);
        unit = Clean(unit);
        if (name.Length == 0)
        {
            problems.Add((Field.FullName, "required", null));
        }

        foreach (var (field, value) in new[] { (Field.FullName, name), (Field.JobTitle, jobTitle), (Field.Unit, unit) })
        {
            if (value.Length > 200)
            {
                problems.Add((field, "too_long", value[..40] + "…"));
            }
            else if (Delegates.DelegateFile.ControlCharacter(value) is { } control)
            {
                problems.Add((field, "control_characters", control));
            }
        }

        int? birthYear = null;
        if (year.Trim().Length > 0)
        {
            if (int.TryParse(year.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int y) && y is >= 1900 and <= 2100)
            {
                birthYear = y;
            }
            else
            {
                problems.Add((Field.BirthYear, "bad_birth_year", year.Trim()));
            }
        }

        candidate = problems.Count == 0 ? new CandidateEditDto(name, birthYear, jobTitle.Length == 0 ? null : jobTitle, unit.Length == 0 ? null : unit) : null;
        return problems;
    }

    /// <summary>A form's candidate as it is stored: trimmed, NFC, single spaces, empty fields as none.</summary>
    public static CandidateEditDto Clean(CandidateEditDto edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        string job = Clean(edit.JobTitle ?? "");
        string unit = Clean(edit.Unit ?? "");
        return new CandidateEditDto(Clean(edit.FullName ?? ""), edit.BirthYear, job.Length == 0 ? null : job, unit.Length == 0 ? null : unit);
    }

    /// <summary>NFC and single spaces, so "Nguyễn  Văn A" typed two ways is one name.</summary>
    private static string Clean(string value) =>
        string.Join(' ', value.Normalize(NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
