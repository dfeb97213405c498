"""Answer-type matching: questions that ask for a name, and the names of each paragraph."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from retrieval.names import NameIndex, asks_for_name


@pytest.mark.parametrize(
    "question",
    [
        "Which new dialogue partner joined?",
        "Which regions' unrest worries them?",
        "In which country must the violence end?",
        "what organisations does the SCO work with",
        "Which of the observer states attended?",
        "Which Security Council resolution covers the Iran deal?",
    ],
)
def test_questions_that_ask_for_a_name(question):
    assert asks_for_name(question)


@pytest.mark.parametrize(
    "question",
    [
        "What do member states think about terrorism?",  # an auxiliary: states are the subject
        "Which measures against drug trafficking?",
        "what does it say about regional security",
        "How do they treat nationals of partner states?",
        "Which statements-of-intent were signed?",  # no name noun, though "states" is in it
    ],
)
def test_questions_that_do_not(question):
    assert not asks_for_name(question)


TEXTS = [
    "The member states welcome the Republic of Turkey as a dialogue partner.",
    "Turkey is named first here, so only the mid-sentence capital counts as a name.",
    "The member States and the member states and the states agree on June 6 in principle.",
    "They oppose the spread of WMD and value cooperation with the CSTO.",
    "The heads of state met in Beijing, the capital, and praised the SCO.",
    "They note the SCO has grown and the SCO is strong.",
    "The SCO welcomes dialogue.",
]


def test_names_of_paragraphs():
    names = NameIndex.from_texts(TEXTS, max_share=0.4, acronyms={"wmd": "weapons of mass destruction",
                                                                 "csto": "Collective Security Treaty Organization"})
    assert set(names.postings) == {"republic", "turkey", "csto", "beijing"}
    # "Turkey" opens paragraph 1: the capital there proves nothing, but the word is a name
    assert list(names.postings["turkey"]) == [0]
    # States: written lower-case more often; June: a date; WMD: a common noun; SCO: in 3 of 7
    assert list(names.counts) == [2, 0, 0, 1, 1, 0, 0]
    assert list(names.naming({"turkey"})) == [True, False, False, True, True, False, False]
    assert list(names.naming({"turkey", "republic", "beijing"})) == [False, False, False, True, False, False, False]


def test_a_which_question_prefers_paragraphs_that_name_something(fake_engine):
    query = fake_engine.understand("Which country joined as a dialogue partner?")
    assert query.asks_name
    plain = dataclasses.replace(query, asks_name=False)
    vector = fake_engine.embed([query])[0][0]
    with_type = fake_engine.scorer.features(query, vector, None).score
    without = fake_engine.scorer.features(plain, vector, None).score
    naming = fake_engine.scorer.names.naming(set(query.content))
    assert 0 < naming.sum() < len(naming)
    body = ~fake_engine.index.signature  # signature blocks: -inf for a question not about signing
    assert np.allclose(with_type[body] - without[body], fake_engine.config.name_answer_bonus * naming[body])
