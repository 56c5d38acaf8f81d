"""The activity editor's parts (the page is ``ropa/ui/pages/editor.py``): ``form`` the widgets and
the form's state, ``sections`` the six sections (only the open one is drawn), ``notices`` what the
page says about the record (its findings after a save, a newer version, a conflict to merge), and
``save`` the save bar."""
