namespace CongressVote.Server.Elections;

/// <summary>
/// The wording of the motions an election dossier puts to the congress. A motion has one title and one text, read out
/// in the hall and kept in the minutes: the title is Vietnamese, the text says it in Vietnamese, then in English.
/// </summary>
public static class DossierWording
{
    public static string SeatsTitle(string election, int seats) => $"Thông qua số lượng bầu: {election} ({seats})";

    public static string SeatsQuestion(string election, int seats) =>
        $"Đại hội biểu quyết thông qua số lượng bầu cử ({election}) là {seats} người.\n" +
        $"The congress approves the number to elect ({election}): {seats}.";

    public static string ListTitle(string election) => $"Thông qua danh sách bầu cử: {election}";

    public static string ListQuestion(string election, IReadOnlyList<string> names) =>
        $"Đại hội biểu quyết thông qua danh sách bầu cử ({election}) gồm {names.Count} đồng chí: {string.Join(", ", names)}.\n" +
        $"The congress approves the ballot list ({election}) of {names.Count}: {string.Join(", ", names)}.";

    public static string CommitteeTitle() => "Thông qua Ban Kiểm phiếu";

    public static string CommitteeQuestion(string election, IReadOnlyList<string> names) =>
        $"Đại hội biểu quyết thông qua Ban Kiểm phiếu ({election}) gồm {names.Count} đồng chí, Trưởng ban: {names[0]}; {string.Join(", ", names)}.\n" +
        $"The congress approves the counting committee ({election}) of {names.Count}, head: {names[0]}; {string.Join(", ", names)}.";

    public static string WithdrawalTitle(string nominee) => $"Cho rút khỏi danh sách bầu cử: {nominee}";

    public static string WithdrawalQuestion(string nominee, string election, string reason) =>
        $"Đồng chí {nominee} xin rút khỏi danh sách bầu cử ({election}). Lý do: {reason}\nĐại hội biểu quyết đồng ý cho rút.\n" +
        $"{nominee} asks to withdraw from the ballot list ({election}). Reason: {reason}\nThe congress votes whether to accept.";

    public static string RoundTitle(string election, int round) => $"{election} (lần {round} / round {round})";
}
