namespace CongressVote.Server.Documents;

/// <summary>
/// One document of the congress's record, as data: the heading, the title and a body of blocks. The PDF and the
/// Word writer both render this and nothing else, so the two files of one document never disagree.
/// </summary>
public sealed record RecordDocument(DocumentHeading Heading, string Title, string? Subtitle, IReadOnlyList<Block> Body);

/// <summary>
/// The heading of a Vietnamese administrative document (Decree 30/2020/NĐ-CP): the superior body and the issuing
/// body top left, the motto top right (two lines, either may be empty), the number under the issuing body, and the
/// place-and-date line under the motto.
/// </summary>
public sealed record DocumentHeading(string SuperiorBody, string Organisation, string? Number, string? MottoTop, string? MottoBottom, string PlaceAndDate);

public abstract record Block;

/// <summary>A numbered section ("I. Thành phần"), Heading 1 in Word.</summary>
public sealed record Section(string Text) : Block;

public sealed record Paragraph(string Text, bool Bold = false, bool Italic = false, bool Centered = false) : Block;

/// <summary>A column of a table: its header, its share of the width, and whether it holds figures (right-aligned).</summary>
public sealed record Column(string Header, double Width, bool Numeric = false);

/// <summary>
/// A table; a total row, when given, is set in bold under the others. <see cref="RowHeight"/> (points) makes room to
/// sign or to mark by hand in every row.
/// </summary>
public sealed record Table(IReadOnlyList<Column> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string>? Total = null, double? RowHeight = null) : Block;

/// <summary>An empty framed box at the right for a stamp ("Dấu của Ban Kiểm phiếu"), its caption inside at the top.</summary>
public sealed record StampBox(string Caption) : Block;

/// <summary>
/// A row of signature blocks: "T/M BAN KIỂM PHIẾU" / "TRƯỞNG BAN" / "(Ký, ghi rõ họ tên)", the space to sign,
/// then the name where it is known.
/// </summary>
public sealed record Signatures(IReadOnlyList<Signature> Blocks, string Caption) : Block;

public sealed record Signature(string OnBehalfOf, string Title, string? Name);

public sealed record PageBreak : Block;
