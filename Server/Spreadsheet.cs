namespace CongressVote.Server;

/// <summary>What every CSV the server writes does to its cells, so that opening one in a spreadsheet is safe.</summary>
public static class Spreadsheet
{
    /// <summary>
    /// A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula when the CSV
    /// is opened in a spreadsheet: an agenda title or a user name typed by anyone must stay text.
    /// </summary>
    public static string Defuse(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>
    /// Rows as CSV the way every export here writes it: UTF-8 with a byte-order mark (Excel then reads Vietnamese
    /// right), commas, CRLF, cells defused and quoted where needed.
    /// </summary>
    public static byte[] Csv(IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(c => Quote(Defuse(c)))).Append("\r\n");
        }

        return [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n', ';']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
