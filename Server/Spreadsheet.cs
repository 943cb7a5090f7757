namespace CongressVote.Server;

/// <summary>What every CSV the server writes does to its cells, so that opening one in a spreadsheet is safe.</summary>
public static class Spreadsheet
{
    /// <summary>
    /// A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula when the CSV
    /// is opened in a spreadsheet: an agenda title or a user name typed by anyone must stay text.
    /// </summary>
    public static string Defuse(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
