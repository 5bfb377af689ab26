def indicators_api(request):
    raise NotImplementedError
