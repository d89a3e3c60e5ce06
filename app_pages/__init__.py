"""Pages and shared helpers of the Streamlit app (``app.py`` is the router).

One module per page (:mod:`.carte`, :mod:`.fiche`, :mod:`.atelier`, :mod:`.donnees`),
each exposing ``render()``; the helpers they share are small modules of their own:
:mod:`.state` (session state and translations), :mod:`.cache` (the opened atlas and
everything cached under its revision), :mod:`.assets` (map assets served locally),
:mod:`.maps` (``st_folium`` without a CDN), :mod:`.picker` (choosing a territory),
:mod:`.auth` (editor sign-in), :mod:`.uploads` (uploaded files on disk) and
:mod:`.text` (sentences and literal names). Pages call ``atlas`` functions through
these helpers: they never parse files, write SQL or assemble maps themselves.
"""
