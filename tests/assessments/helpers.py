from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.demo_documents import simple_pdf


def pdf_bytes(title="Bukti dukung"):
    return simple_pdf(title, ["Dokumen uji."])


def pdf_upload(name="bukti.pdf", title="Bukti dukung"):
    return SimpleUploadedFile(name, pdf_bytes(title), content_type="application/pdf")
