"""The pages of background jobs (hamlets/jobs.py): one job's progress and
result, its status for the progress bar, its file, and the user's recent jobs.
A job is its owner's only: anyone else gets "not found"."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format

from ..jobs import Job


def _own_job(request, token):
    return get_object_or_404(Job, token=token, user=request.user)


@login_required
def job_detail(request, token):
    job = _own_job(request, token)
    if job.upload_id is not None:
        return redirect("hamlets:upload_preview", token=job.upload.token)
    return render(request, "hamlets/job.html", {"job": job})


@login_required
def job_status(request, token):
    """For the progress bar's script."""
    job = _own_job(request, token)
    progress = job.progress()
    return JsonResponse(
        {
            "state": job.state,
            "active": job.active,
            **progress,
            "done_text": number_format(progress["done"], force_grouping=True),
            "total_text": number_format(progress["total"], force_grouping=True),
        }
    )


@login_required
def job_file(request, token):
    job = _own_job(request, token)
    if not (job.succeeded and job.output_name):
        raise Http404
    response = HttpResponse(bytes(job.output), content_type=job.output_type)
    response["Content-Disposition"] = f'attachment; filename="{job.output_name}"'
    return response


@login_required
def job_list(request):
    jobs = Job.objects.filter(user=request.user).select_related("upload").defer("output", "result")[:50]
    return render(request, "hamlets/job_list.html", {"jobs": jobs})
