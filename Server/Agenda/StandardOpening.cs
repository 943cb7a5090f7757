using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Agenda;

/// <summary>The agenda a new congress starts with: the first votes of the Vietnamese congress order.</summary>
public static class StandardOpening
{
    /// <summary>The opening every congress starts from (docs/architecture.md §3), with the question of each vote.</summary>
    public static readonly (string Title, string Kind, string? Question)[] Items =
    [
        ("Khai mạc Đại hội", "procedural", null),
        ("Thông qua Đoàn Chủ tịch, Đoàn Thư ký và Ban Kiểm phiếu", "vote", "Đại hội biểu quyết thông qua danh sách Đoàn Chủ tịch, Đoàn Thư ký và Ban Kiểm phiếu."),
        ("Thông qua Chương trình và Quy chế làm việc của Đại hội", "vote", "Đại hội biểu quyết thông qua Chương trình và Quy chế làm việc của Đại hội."),
        ("Báo cáo thẩm tra tư cách đại biểu", "vote", "Đại hội biểu quyết thông qua Báo cáo thẩm tra tư cách đại biểu."),
    ];

    /// <summary>Writes the standard opening into a new congress, each vote with the preset's decision rule.</summary>
    public static async Task SeedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, CongressPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        int position = 1;
        foreach (var (title, kind, question) in Items)
        {
            var itemId = Guid.NewGuid();
            await connection.ExecuteAsync(
                "INSERT INTO agenda_item (id, congress_id, position, title, kind) VALUES (@itemId, @congressId, @position, @title, @kind)",
                new { itemId, congressId, position = position++, title, kind }, transaction);
            if (question is not null)
            {
                await Polls.PollStore.InsertDraftAsync(connection, transaction, congressId, itemId, title, question, secret: false, allowAbstain: true, preset.Decision);
            }
        }
    }
}
