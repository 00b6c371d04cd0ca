"""The print book rendered in groups in worker processes, cached, then assembled.

:mod:`.sections` plans the groups and runs the workers, :mod:`.chunks` cuts a very
long document into groups of its own, :mod:`.assemble` joins the groups into one PDF.
"""
