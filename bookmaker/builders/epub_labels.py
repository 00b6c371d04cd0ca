"""The words bookmaker itself puts into a book ('Contents', 'Notes'…), per language.

Templates read them as ``labels.notes`` and so on; a language missing here, or a
label missing for a language, falls back to English. A volume that needs other
words overrides the template.
"""

from __future__ import annotations

import datetime as dt

ENGLISH: dict[str, str] = {
    "contents": "Contents",
    "landmarks": "Landmarks",
    "cover": "Cover",
    "title_page": "Title Page",
    "imprint": "Imprint",
    "start": "Start of Content",
    "notes": "Notes",
    "back_to_call": "Back to call",
    "number": "No.",
    "by": "by",
    "translated_by": "Translated by",
    "translated_by_inline": "translated by",
    "edited_by": "Edited by",
    "source": "Source",
    "published_by": "Published by",
    "identifier": "Identifier",
    "made_with": "This ebook was made with",
    "on": "on",
    "months": "January February March April May June July August September October "
              "November December",
    "date_format": "{month} {day}, {year}",
}

LABELS: dict[str, dict[str, str]] = {
    "en": ENGLISH,
    "de": {
        "contents": "Inhalt", "landmarks": "Orientierungspunkte", "cover": "Umschlag",
        "title_page": "Titelseite", "imprint": "Impressum", "start": "Textbeginn",
        "notes": "Anmerkungen", "back_to_call": "Zurück zum Verweis", "number": "Nr.",
        "by": "von", "translated_by": "Übersetzt von", "translated_by_inline": "übersetzt von",
        "edited_by": "Herausgegeben von", "source": "Quelle", "published_by": "Verlag:",
        "identifier": "Kennung", "made_with": "Dieses E-Book wurde erstellt mit", "on": "am",
        "months": "Januar Februar März April Mai Juni Juli August September Oktober November "
                  "Dezember",
        "date_format": "{day}. {month} {year}",
    },
    "fr": {
        "contents": "Table des matières", "landmarks": "Repères", "cover": "Couverture",
        "title_page": "Page de titre", "imprint": "Colophon", "start": "Début du texte",
        "notes": "Notes", "back_to_call": "Retour à l’appel", "number": "no",
        "by": "par", "translated_by": "Traduit par", "translated_by_inline": "traduit par",
        "edited_by": "Édité par", "source": "Source", "published_by": "Publié par",
        "identifier": "Identifiant", "made_with": "Ce livre numérique a été fabriqué avec",
        "on": "le",
        "months": "janvier février mars avril mai juin juillet août septembre octobre "
                  "novembre décembre",
        "date_format": "{day} {month} {year}",
    },
    "es": {
        "contents": "Índice", "landmarks": "Puntos de referencia", "cover": "Cubierta",
        "title_page": "Portada", "imprint": "Créditos", "start": "Comienzo del texto",
        "notes": "Notas", "back_to_call": "Volver a la llamada", "number": "n.º",
        "by": "de", "translated_by": "Traducción de", "translated_by_inline": "traducción de",
        "edited_by": "Edición de", "source": "Fuente", "published_by": "Publicado por",
        "identifier": "Identificador", "made_with": "Este libro electrónico se hizo con",
        "on": "el",
        "months": "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
                  "noviembre diciembre",
        "date_format": "{day} de {month} de {year}",
    },
    "ru": {
        "contents": "Содержание", "landmarks": "Ориентиры", "cover": "Обложка",
        "title_page": "Титульный лист", "imprint": "Выходные данные", "start": "Начало текста",
        "notes": "Примечания", "back_to_call": "Назад к ссылке", "number": "№",
        "by": "", "translated_by": "Перевод:", "translated_by_inline": "перевод:",
        "edited_by": "Под редакцией", "source": "Источник", "published_by": "Издатель:",
        "identifier": "Идентификатор", "made_with": "Электронная книга сделана программой",
        "on": "",
        "months": "января февраля марта апреля мая июня июля августа сентября октября "
                  "ноября декабря",
        "date_format": "{day} {month} {year} г.",
    },
}
"""Labels by primary language subtag."""


def labels_for(language: str) -> dict[str, str]:
    """The labels for a BCP 47 language tag, English where the language has none."""
    primary = language.lower().replace("_", "-").split("-")[0]
    return {**ENGLISH, **LABELS.get(primary, {})}


def format_date(when: dt.date, labels: dict[str, str]) -> str:
    """``when`` written out in the labels' language, e.g. 'December 16, 2006'."""
    month = labels["months"].split()[when.month - 1]
    return labels["date_format"].format(day=when.day, month=month, year=when.year)
