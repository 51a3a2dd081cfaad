"""Pages of the monthly assistance: beneficiaries (đối tượng hưởng), applications (hồ sơ) and
decisions (quyết định).

The views are thin: they find the record among what the user may *view* (another area is a
404), check the action (403), call one enrolment service and redirect. A form the service
refuses is shown again on the same page with the service's message on its field.
"""
