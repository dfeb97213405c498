"""Russian language data, for the bilingual SCO records (their Russian text is kept apart, never
indexed by an English model, but its paragraphs must still be split and tagged)."""

# Titles of signatories in the Russian signature blocks.
SIGNATORY_TITLES = ("Президент", "Премьер", "Министр", "Председатель", "вице-президент")
# Abbreviations after which a full stop ends no sentence ("г." for year, "т.д.").
ABBREVIATIONS = frozenset({"г", "гг", "т", "д"})
